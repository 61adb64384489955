import { spawn, type ChildProcess } from 'node:child_process';
import { cpuTicks, settled } from './settled';

/** A real child process that burns a core for `busyMs`, says "idle" on stdout, then sleeps until killed. */
function busyThenIdle(busyMs: number): { child: ChildProcess; idleSaid: Promise<void> } {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const end = Date.now() + ${busyMs}; while (Date.now() < end); process.stdout.write('idle\\n'); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const idleSaid = new Promise<void>((resolve) =>
    child.stdout?.on('data', (c: Buffer) => c.toString().includes('idle') && resolve()),
  );
  return { child, idleSaid };
}

describe('waiting for the server to settle between lines', () => {
  it('reads a live process’s CPU time, and nothing for one that is gone', async () => {
    expect(cpuTicks(process.pid)).toBeGreaterThanOrEqual(0);
    const { child, idleSaid } = busyThenIdle(0);
    await idleSaid;
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(cpuTicks(child.pid as number)).toBeUndefined();
  });

  it('given a process still busy, then it waits until the process has gone idle', async () => {
    const { child, idleSaid } = busyThenIdle(1500);
    let idle = false;
    void idleSaid.then(() => (idle = true));
    try {
      await new Promise((r) => setTimeout(r, 200));
      // when
      await settled(child.pid);
      // then
      expect(idle).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('given no process, then it does not wait', async () => {
    expect(await settled(undefined)).toBe(0);
  });
});
