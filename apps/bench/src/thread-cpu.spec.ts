import { spawn } from 'node:child_process';
import { threadMicros, threadsPerRequest } from './thread-cpu';

describe('CPU per thread of a server', () => {
  it('given a process whose worker thread burns a core, then the busiest other thread is the worker, not the main one', async () => {
    // The main thread idles; its worker spins for 400 ms, then says so.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const { Worker } = require('node:worker_threads');
         const w = new Worker("const end = Date.now() + 400; while (Date.now() < end); require('node:worker_threads').parentPort.postMessage('done'); setInterval(() => {}, 1000);", { eval: true });
         w.on('message', () => process.stdout.write('done\\n'));
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const pid = child.pid as number;
      await new Promise((r) => setTimeout(r, 50));
      const before = threadMicros(pid);
      expect(before.has(String(pid))).toBe(true);
      await new Promise<void>((resolve) =>
        child.stdout?.on('data', (c: Buffer) => c.toString().includes('done') && resolve()),
      );
      const after = threadMicros(pid);
      const split = threadsPerRequest(pid, before, after, 100);
      expect(split).toBeDefined();
      // 400 ms of spinning over 100 "requests": a few ms each on the worker, far less on the idle main thread.
      expect(split?.busiestOther).toBeGreaterThan(1_000);
      expect(split?.request).toBeLessThan((split?.busiestOther ?? 0) / 4);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('given no requests or a process that is gone, then there is no split', () => {
    expect(threadsPerRequest(process.pid, new Map(), threadMicros(process.pid), 0)).toBeUndefined();
    expect(threadMicros(2 ** 30).size).toBe(0);
    expect(threadsPerRequest(2 ** 30, new Map(), new Map(), 10)).toBeUndefined();
  });
});
