/** Polls until `check` passes: work in the background is waited for, never timed (25 ms apart, 30 s at most). */
export async function eventually(check: () => Promise<void>, attempts = 1200): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await check();
      return;
    } catch (e) {
      if (i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/**
 * Polls `check` (25 ms apart) until it is true; past `timeoutMs` fails naming `what` was waited for. For work in
 * the background (a consumer, a relay, a thread) whose end a test cannot await directly; never a timing.
 */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
