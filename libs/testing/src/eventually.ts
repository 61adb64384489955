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
