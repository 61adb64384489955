import { spawn } from 'node:child_process';
import path from 'node:path';
import { tempDir } from './cli-process.fixture';

jest.setTimeout(60_000);

const main = path.join(__dirname, '../../dist/main.js');

describe('sanksi serve', () => {
  const { dir, cleanup } = tempDir('serve');
  afterAll(() => cleanup());

  it('given an empty data directory, when served, then it prints the URL and keys, answers with them, and stops cleanly on SIGTERM', async () => {
    const port = 30_000 + (process.pid % 20_000);
    const child = spawn(process.execPath, [main, 'serve', '--port', String(port)], {
      env: { ...process.env, SANKSI_DATA_DIR: dir, SANKSI_LOG_LEVEL: 'warn', SANKSI_API_KEYS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 200 && !out.includes('admin '); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain(`Sanksi is serving on http://127.0.0.1:${port}`);
      expect(out).toContain(`http://127.0.0.1:${port}/docs`);
      const operator = /operator\s+(\S+)/.exec(out)?.[1] as string;
      const analyst = /analyst\s+(\S+)/.exec(out)?.[1] as string;
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
      const docs = await fetch(`${base}/docs`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger');
      const opened = await fetch(`${base}/v1/cases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
        body: JSON.stringify({ pseId: 'served', name: 'Served', origin: 'domestic', domains: ['served.id'] }),
      });
      expect(opened.status).toBe(201);
      // the worker in the same process projects it
      let summary: Response | undefined;
      for (let i = 0; i < 50; i++) {
        summary = await fetch(`${base}/v1/cases/served`, { headers: { authorization: `Bearer ${analyst}` } });
        if (summary.status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(summary?.status).toBe(200);
      expect(await summary?.json()).toMatchObject({ pseId: 'served', state: 'unregistered', version: 1 });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
