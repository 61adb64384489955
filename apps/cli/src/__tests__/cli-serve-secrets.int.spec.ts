import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { tempDir } from './cli-process.fixture';

jest.setTimeout(90_000);

const main = path.join(__dirname, '../../dist/main.js');

/** Starts `sanksi serve`, waits for the line that ends its banner, stops it; returns what it printed. */
async function serveOnce(env: Record<string, string>, port: number): Promise<string> {
  const child = spawn(process.execPath, [main, 'serve', '--port', String(port), '--no-worker'], {
    env: { ...process.env, SANKSI_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    for (let i = 0; i < 300 && !/API keys/.test(out) && child.exitCode === null; i++)
      await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 5 && !/(admin .*\n|API keys: .*\n)/.test(out); i++)
      await new Promise((r) => setTimeout(r, 100));
  } finally {
    child.kill('SIGTERM');
  }
  await exited;
  return out;
}

describe('sanksi serve and secrets (issue 11, finding 5)', () => {
  const { dir, cleanup } = tempDir('serve-secrets');
  afterAll(() => cleanup());
  const port = 30_000 + ((process.pid + 7) % 20_000);

  it('given a fresh data directory, then the keys are printed on the start that makes them and never again (later starts say where they are)', async () => {
    const first = await serveOnce({ SANKSI_DATA_DIR: dir, SANKSI_API_KEYS: '' }, port);
    const admin = /admin\s+(sk_admin_\S+)/.exec(first)?.[1];
    const operator = /operator\s+(sk_operator_\S+)/.exec(first)?.[1];
    expect(admin).toBeDefined();
    expect(first).toContain('shown only this once');

    const second = await serveOnce({ SANKSI_DATA_DIR: dir, SANKSI_API_KEYS: '' }, port);
    expect(second).toContain('Sanksi is serving on');
    expect(second).toContain(`API keys:            in ${path.join(path.resolve(dir), 'api-keys.json')}`);
    expect(second).not.toContain(admin as string);
    expect(second).not.toContain(operator as string);
    expect(second).not.toMatch(/sk_(admin|operator|analyst|service)_/);
  });

  it('given SANKSI_API_KEYS, then no key is printed', async () => {
    const key = 'admin-key-from-the-environment-123';
    const out = await serveOnce(
      { SANKSI_DATA_DIR: dir, SANKSI_API_KEYS: `admin:${key},operator:operator-key-from-env-1234` },
      port,
    );
    expect(out).toContain('API keys:            from SANKSI_API_KEYS');
    expect(out).not.toContain(key);
    expect(out).not.toContain('operator-key-from-env-1234');
  });

  it.each([
    ['SANKSI_API_KEYS', 'admin:sk_admin_leaked-admin-key-0001,operator:tooshort', 'leaked-admin-key'],
    ['DATABASE_URL', 'mysql://sanksi:db-pass-never-printed@db.internal:3306/sanksi', 'db-pass-never-printed'],
  ])(
    'given a bad %s, then serve stops with exit 3 naming the variable, and never prints the value',
    (variable, value, secret) => {
      const r = spawnSync(process.execPath, [main, 'serve', '--port', String(port)], {
        env: { ...process.env, SANKSI_DATA_DIR: dir, SANKSI_API_KEYS: '', [variable]: value },
        encoding: 'utf8',
      });
      expect(r.status).toBe(3);
      expect(r.stderr).toContain(variable);
      expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
    },
  );
});
