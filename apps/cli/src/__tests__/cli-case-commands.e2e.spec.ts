import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, type CliRun, runCli, tempDir } from './cli-process.fixture';
import { freePort } from '@sanksi/testing';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const OPERATOR_KEY = 'case-cli-operator-key-0123456789abcdef';
const ANALYST_KEY = 'case-cli-analyst-key-0123456789abcdef';
const wib = (local: string) => `${local}:00+07:00`;

const json = (run: CliRun): Record<string, unknown> => JSON.parse(run.stdout) as Record<string, unknown>;
const errorOf = (run: CliRun): Record<string, unknown> =>
  (JSON.parse(run.stderr.trim().split('\n').pop() ?? '{}') as { error: Record<string, unknown> }).error;

/** The case commands of one scenario, sent in one mode: in-process on `dir`, or to the API at `api`. */
function caseCli(env: Record<string, string>, api?: string) {
  return (...args: string[]): CliRun => runCli(['case', ...args, ...(api ? ['--api', api] : [])], env);
}

describe('sanksi case … in-process, on a data directory', () => {
  const { dir, cleanup } = tempDir('case-local');
  const env = { SANKSI_DATA_DIR: path.join(dir, 'data') };
  const sanksi = caseCli(env);
  afterAll(cleanup);

  it('given a new case, when warned, blocked too soon, retried, raced and mistyped, then each outcome has its exit code and message', () => {
    // given
    const opened = sanksi(
      'open',
      '--pse-id',
      'shop',
      '--name',
      'Example Shop',
      '--origin',
      'foreign',
      '--domains',
      'shop.example',
      '--policy',
      'kominfo-2022',
      '--occurred-at',
      wib('2022-07-18T09:00'),
      '--json',
    );
    expect(opened.stderr).toBe('');
    expect(opened.code).toBe(0);
    expect(json(opened)).toMatchObject({
      applied: true,
      replayed: false,
      pseId: 'shop',
      version: 1,
      state: 'unregistered',
    });

    // when: a warning, then the same warning again with the same Idempotency-Key
    const warn = ['warn', 'shop', '--letter-number', 'B-1/2022', '--occurred-at', wib('2022-07-23T10:00')];
    const warned = sanksi(...warn, '--idempotency-key', 'warn-shop-1', '--if-match', '1');
    const again = sanksi(...warn, '--idempotency-key', 'warn-shop-1', '--json');
    // then
    expect(warned.code).toBe(0);
    expect(warned.stdout).toContain('applied IssueWarning — shop is warned, version 2');
    expect(warned.stdout).toContain('+ WarningIssued');
    expect(again.code).toBe(0);
    expect(json(again)).toMatchObject({ applied: false, replayed: true, version: 2, state: 'warned' });

    // when: a block while the warning runs → refused, naming the reason and what is allowed (exit 5)
    const block = sanksi(
      'block',
      'shop',
      '--order-number',
      'ORD-1',
      '--occurred-at',
      wib('2022-07-24T10:00'),
    );
    expect(block.code).toBe(5);
    expect(block.stdout).toBe('');
    expect(block.stderr).toContain('BlockAccess refused for shop in warned');
    expect(block.stderr).toMatch(/allowed now: .*IssueWarning/);

    // when: a command decided on an old version (exit 6), on no case (exit 4), with a bad option (exit 2)
    const stale = sanksi('warn', 'shop', '--letter-number', 'B-2/2022', '--if-match', '1', '--json');
    expect(stale.code).toBe(6);
    expect(errorOf(stale)).toMatchObject({ code: 'VERSION_MISMATCH', expectedVersion: 1, actualVersion: 2 });
    expect(sanksi('warn', 'nobody', '--letter-number', 'B-3/2022').code).toBe(4);
    const bad = sanksi('fine', 'shop', '--decision-number', 'KEP-1', '--amount-idr', 'lots');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--amount-idr');
    const badKey = sanksi('warn', 'shop', '--letter-number', 'B-4', '--idempotency-key', 'with space');
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('--idempotency-key');

    // then nothing of the refused ones was recorded
    const shown = runCli(['cases', 'show', 'shop', '--json'], env);
    expect(shown.code).toBe(0);
    expect(json(shown)).toMatchObject({ summary: { state: 'warned', version: 2 } });
  });

  it('given a system blocked four times, when an operator and then an admin (SANKSI_ACTOR_ROLE) restore it, then only the admin with --override may (MR5 Art. 20), and a role the CLI cannot act in is a configuration error', () => {
    // given: mr5-literal blocks directly; four blocks, three restorations between them
    const day = (d: number, hour = 10) =>
      wib(`2022-08-${String(d).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00`);
    expect(
      sanksi(
        'open',
        '--pse-id',
        'again',
        '--name',
        'Again',
        '--origin',
        'domestic',
        '--domains',
        'again.example',
        '--policy',
        'mr5-literal',
        '--occurred-at',
        day(1, 9),
      ).code,
    ).toBe(0);
    for (let i = 1; i <= 4; i++) {
      expect(sanksi('block', 'again', '--order-number', `ORD-${i}`, '--occurred-at', day(2 * i)).code).toBe(
        0,
      );
      if (i < 4)
        expect(
          sanksi('restore', 'again', '--reason', `normalised ${i}`, '--occurred-at', day(2 * i + 1)).code,
        ).toBe(0);
    }
    const restore = ['restore', 'again', '--reason', 'normalised 4', '--occurred-at', day(10)];

    // when: the operator (the default role), with and without --override
    const asOperator = sanksi(...restore, '--override');
    expect(asOperator.code).toBe(5);
    expect(asOperator.stderr).toContain(
      'blocked 4 times (more than 3, MR5 Art. 20): normalisation needs override by an admin',
    );

    // when: an admin without --override, then with it
    const admin = caseCli({ ...env, SANKSI_ACTOR_ROLE: 'admin', SANKSI_ACTOR: 'kepala' });
    expect(admin(...restore).code).toBe(5);
    const overridden = admin(...restore, '--override', '--json');
    expect(overridden.stderr).toBe('');
    expect(overridden.code).toBe(0);
    expect(json(overridden)).toMatchObject({ applied: true, state: 'unregistered' });

    // then the event records who overrode, in which role
    const restored = (json(overridden) as { events: Array<{ type: string; actor?: unknown }> }).events;
    expect(restored.map((e) => e.type)).toEqual(['AccessRestored']);
    expect(restored[0].actor).toEqual({ id: 'cli:kepala', role: 'admin' });

    // and a role outside operator/admin changes nothing and names what is allowed
    const root = caseCli({ ...env, SANKSI_ACTOR_ROLE: 'root' })('block', 'again', '--order-number', 'ORD-5');
    expect(root.code).toBe(3);
    expect(root.stderr).toContain(
      'SANKSI_ACTOR_ROLE="root" is not a role a case command can be sent in: use operator (the default) or admin',
    );
  });
});

describe('sanksi case … --api URL, against a running server', () => {
  const local = tempDir('case-same-local');
  const served = tempDir('case-served');
  let server: ChildProcess | undefined;
  let api = '';
  let output = '';

  beforeAll(async () => {
    const port = await freePort();
    server = spawn(process.execPath, [CLI, 'serve', '--port', String(port)], {
      env: {
        PATH: process.env.PATH ?? '',
        NO_COLOR: '1',
        SANKSI_DATA_DIR: served.dir,
        SANKSI_LOG_LEVEL: 'warn',
        SANKSI_WORKER: 'none',
        WORKER_PORT: 'off',
        SANKSI_API_KEYS: `operator:${OPERATOR_KEY},analyst:${ANALYST_KEY}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    server.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    for (let i = 0; i < 600 && !output.includes('Sanksi is serving on'); i++) {
      if (server.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!output.includes('Sanksi is serving on')) throw new Error(`serve did not start: ${output}`);
    api = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    local.cleanup();
    served.cleanup();
  });

  it('given the same commands in-process and over HTTP, then the same success and the same refusal, exit codes and JSON', () => {
    const inProcess = caseCli({ SANKSI_DATA_DIR: local.dir });
    const remote = caseCli({ SANKSI_API_KEY: OPERATOR_KEY }, api);
    const scenario = (sanksi: (...args: string[]) => CliRun) => ({
      open: sanksi(
        'open',
        '--pse-id',
        'same',
        '--name',
        'Same Shop',
        '--origin',
        'foreign',
        '--domains',
        'same.example',
        '--policy',
        'kominfo-2022',
        '--occurred-at',
        wib('2022-07-18T09:00'),
        '--json',
      ),
      warn: sanksi(
        'warn',
        'same',
        '--letter-number',
        'B-9/2022',
        '--occurred-at',
        wib('2022-07-23T10:00'),
        '--json',
      ),
      block: sanksi(
        'block',
        'same',
        '--order-number',
        'ORD-9',
        '--occurred-at',
        wib('2022-07-24T10:00'),
        '--json',
      ),
      fine: sanksi('fine', 'same', '--decision-number', 'KEP-9', '--amount-idr', '0', '--json'),
      // kominfo-2022 escalates by itself: the restoration first records the block the deadline brought
      restore: sanksi(
        'restore',
        'same',
        '--reason',
        'normalised',
        '--occurred-at',
        wib('2022-08-02T10:00'),
        '--json',
      ),
      register: sanksi(
        'register',
        'same',
        '--channel',
        'oss',
        '--occurred-at',
        wib('2022-08-03T10:00'),
        '--json',
      ),
      confirm: sanksi(
        'confirm',
        'same',
        '--registration-number',
        '000123.01/DJAI.PSE/08/2022',
        '--occurred-at',
        wib('2022-08-04T10:00'),
        '--json',
      ),
      // pp43-2023 fines between the warning and the block; a fined system found not obliged is exempted
      openPaid: sanksi(
        'open',
        '--pse-id',
        'paid',
        '--name',
        'Paid Shop',
        '--origin',
        'domestic',
        '--domains',
        'paid.example',
        '--policy',
        'pp43-2023',
        '--occurred-at',
        wib('2024-01-02T09:00'),
        '--json',
      ),
      warnPaid: sanksi(
        'warn',
        'paid',
        '--letter-number',
        'B-1/2024',
        '--occurred-at',
        wib('2024-01-03T10:00'),
        '--json',
      ),
      finePaid: sanksi(
        'fine',
        'paid',
        '--decision-number',
        'KEP-1/2024',
        '--amount-idr',
        '1000000',
        '--occurred-at',
        wib('2024-01-15T10:00'),
        '--json',
      ),
      pay: sanksi(
        'pay',
        'paid',
        'F1',
        '--amount-idr',
        '1000000',
        '--reference',
        'TRX-1',
        '--occurred-at',
        wib('2024-01-16T10:00'),
        '--json',
      ),
      exempt: sanksi(
        'exempt',
        'paid',
        '--reason',
        'not obliged',
        '--occurred-at',
        wib('2024-01-17T10:00'),
        '--json',
      ),
      // decided on a version the case has left (exit 6), and a case that does not exist (exit 4)
      stale: sanksi('warn', 'paid', '--letter-number', 'B-2/2024', '--if-match', '3', '--json'),
      missing: sanksi('warn', 'nobody', '--letter-number', 'B-3/2024', '--json'),
    });
    const a = scenario(inProcess);
    const b = scenario(remote);
    const outcome = (run: CliRun) => {
      const r = json(run) as {
        state: string;
        substate: string | null;
        version: number;
        nextDeadline: unknown;
        events: Array<{ type: string }>;
      };
      return {
        state: r.state,
        substate: r.substate,
        version: r.version,
        nextDeadline: r.nextDeadline,
        events: r.events.map((e) => e.type),
        // --json prints the events whole in both modes (over HTTP it asks: Prefer: return=representation)
        fields: r.events.map((e) => Object.keys(e).sort()),
      };
    };
    // success: the same case after each command
    const applied = [
      'open',
      'warn',
      'restore',
      'register',
      'confirm',
      'openPaid',
      'warnPaid',
      'finePaid',
      'pay',
      'exempt',
    ] as const;
    for (const step of applied) {
      expect({ step, code: b[step].code, stderr: b[step].stderr }).toEqual({ step, code: 0, stderr: '' });
      expect(outcome(b[step])).toEqual(outcome(a[step]));
    }
    // refusal: the same exit code and the same error document, reason and allowed commands included
    expect(a.block.code).toBe(5);
    expect(b.block.code).toBe(5);
    expect(errorOf(b.block)).toEqual(errorOf(a.block));
    expect(errorOf(b.block)).toMatchObject({
      code: 'TRANSITION_REFUSED',
      kind: 'transition-refused',
      state: 'warned',
    });
    // invalid body: refused by the same schema before anything is sent (exit 2)
    expect(a.fine.code).toBe(2);
    expect(b.fine.code).toBe(2);
    expect(errorOf(b.fine)).toEqual(errorOf(a.fine));
    // the path through the statechart, step by step, as both modes saw it
    expect(applied.map((step) => [step, outcome(b[step]).state, outcome(b[step]).events])).toEqual([
      ['open', 'unregistered', ['PseIdentified']],
      ['warn', 'warned', ['WarningIssued']],
      ['restore', 'unregistered', ['DeadlineElapsed', 'AccessBlocked', 'AccessRestored']],
      ['register', 'registrationPending', ['RegistrationSubmitted']],
      ['confirm', 'reRegistered', ['RegistrationConfirmed']],
      ['openPaid', 'unregistered', ['PseIdentified']],
      ['warnPaid', 'warned', ['WarningIssued']],
      ['finePaid', 'fined', ['DeadlineElapsed', 'FineImposed']],
      ['pay', 'fined', ['FinePaid']],
      ['exempt', 'exempted', ['ExemptionGranted']],
    ]);
    // conflict and not found: the same exit code and error document
    expect([a.stale.code, b.stale.code]).toEqual([6, 6]);
    expect(errorOf(b.stale)).toEqual(errorOf(a.stale));
    expect(errorOf(b.stale)).toMatchObject({
      code: 'VERSION_MISMATCH',
      expectedVersion: 3,
      actualVersion: 6,
    });
    expect([a.missing.code, b.missing.code]).toEqual([4, 4]);
    expect(errorOf(b.missing)).toEqual(errorOf(a.missing));
    expect(errorOf(b.missing)).toMatchObject({ code: 'CASE_NOT_FOUND', pseId: 'nobody' });
  });

  it('given no key, a wrong key or no server, then configuration (3) and unavailable (7), naming what to fix', () => {
    const warn = ['warn', 'same', '--letter-number', 'B-10/2022'];
    const noKey = caseCli({}, api)(...warn);
    expect(noKey.code).toBe(3);
    expect(noKey.stderr).toContain('SANKSI_API_KEY');
    const analyst = caseCli({ SANKSI_API_KEY: ANALYST_KEY }, api)(...warn);
    expect(analyst.code).toBe(3);
    expect(analyst.stderr).toContain('operator key');
    const nowhere = caseCli({ SANKSI_API_KEY: OPERATOR_KEY }, 'http://127.0.0.1:9')(...warn, '--json');
    expect(nowhere.code).toBe(7);
    expect(errorOf(nowhere)).toMatchObject({ code: 'API_UNREACHABLE' });
  });
});

describe('sanksi migrate, and commands that need data', () => {
  const { dir, cleanup } = tempDir('migrate');
  const dataDir = path.join(dir, 'data');
  afterAll(cleanup);

  it('given no data directory, when a read-only command runs, then it says how to create one and creates nothing', () => {
    for (const args of [
      ['cases', 'list'],
      ['stats', 'states'],
      ['blocklist', 'export'],
      ['verify'],
      ['replay', 'x'],
      ['discovery'],
      ['discovery', 'open', 'shop.example'],
      ['evidence', 'public-key'],
    ]) {
      const run = runCli(args, { SANKSI_DATA_DIR: dataDir });
      expect({ args, code: run.code }).toEqual({ args, code: 3 });
      expect(run.stderr).toContain(`no data directory at ${dataDir}`);
      expect(run.stderr).toContain('sanksi migrate');
      expect(run.stderr).toContain('sanksi import');
    }
    expect(runCli(['case', 'warn', 'x', '--letter-number', 'B'], { SANKSI_DATA_DIR: dataDir }).code).toBe(3);
    const noKey = runCli(['evidence', 'public-key', '--json'], { SANKSI_DATA_DIR: dataDir });
    expect(errorOf(noKey)).toMatchObject({ code: 'NO_EVIDENCE_KEY', dataDir });
    expect(noKey.stderr).toContain('asking for its public key makes none');
    expect(noKey.stderr).toContain('SANKSI_EVIDENCE_KEY');
    // a key of its own (SANKSI_EVIDENCE_KEY) needs no data directory, and still creates none
    const keyFile = path.join(dir, 'evidence.pem');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const pinned = runCli(['evidence', 'public-key'], {
      SANKSI_DATA_DIR: dataDir,
      SANKSI_EVIDENCE_KEY: keyFile,
    });
    expect(pinned.code).toBe(0);
    expect(pinned.stdout.trim()).toBe(publicKey.export({ format: 'der', type: 'spki' }).toString('base64'));
    expect(existsSync(dataDir)).toBe(false);
  });

  it('given no data directory, when migrated twice, then the first run applies every migration and the second none', () => {
    const first = runCli(['migrate', '--json'], { SANKSI_DATA_DIR: dataDir });
    expect(first.code).toBe(0);
    const report = json(first) as {
      stores: Array<{ store: string; before: number[]; applied: unknown[]; version: number }>;
      known: { events: number; readModels: number };
    };
    expect(report.stores.map((s) => [s.store, s.before, s.applied.length])).toEqual([
      ['event store', [], report.known.events],
      ['read models', [], report.known.readModels],
    ]);
    const second = runCli(['migrate'], { SANKSI_DATA_DIR: dataDir });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/event store: up to date at version \d+, nothing to run/);
    expect(second.stdout).toMatch(/read models: up to date at version \d+, nothing to run/);
    const listed = runCli(['cases', 'list', '--json'], { SANKSI_DATA_DIR: dataDir });
    expect(listed.code).toBe(0);
    expect(json(listed)).toEqual({ count: 0, items: [] });
  });
});

describe('npx sanksi', () => {
  it('given the built CLI, when run through npx at the repository root, then it is the sanksi command', () => {
    const run = spawnSync('npx', ['--offline', 'sanksi', '--version'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('0.1.0');
    expect(run.status).toBe(0);
  });
});
