import { createRuntime, loadConfig, ManualClock } from '@sanksi/application';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { CliError, ExitCode } from '../cli.errors';
import { consoleOutput } from '../output/cli-output';
import { buildProgram } from '../program';
import type { CliDeps } from '../support/cli-context';

jest.setTimeout(60_000);

describe('sanksi traffic import and sanksi discovery (in process, real SQLite files)', () => {
  let dir: string;
  let stdout: string[];
  const deps = (): CliDeps => {
    const config = loadConfig({ SANKSI_DATA_DIR: dir, SANKSI_LOG_LEVEL: 'silent' });
    return {
      openRuntime: () =>
        createRuntime(config, {
          clock: new ManualClock('2022-08-05T03:00:00Z'),
          logger: pino({ level: 'silent' }),
        }),
      config: () => config,
      output: ({ json }) => consoleOutput({ json: Boolean(json), stdoutIsTty: false, stderrIsTty: false }),
    };
  };
  const run = async (...args: string[]): Promise<{ json: unknown; error: CliError | null }> => {
    stdout = [];
    const argv = ['node', 'sanksi', ...args];
    const program = await buildProgram(deps(), argv);
    let error: CliError | null = null;
    try {
      await program.parseAsync(argv);
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      error = e;
    }
    const text = stdout.join('');
    return { json: text.trim().startsWith('{') ? JSON.parse(text) : text, error };
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sanksi-cli-traffic-'));
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a file with some bad rows, then the good ones are recorded, the report lists the bad ones and the exit code is 1; discovery then ranks and opens', async () => {
    const file = path.join(dir, 'july.csv');
    writeFileSync(
      file,
      [
        'domain,visits,rank',
        'bigshop.example,900000,1',
        'newssite.example,500000,2',
        'tiny.example,10,',
        'not a domain,5,',
        'bigshop.example,900000,1',
      ].join('\n'),
    );
    const imported = await run('traffic', 'import', file, '--source', 'sw', '--period', '2022-07', '--json');
    expect(imported.json).toMatchObject({
      rows: 5,
      recorded: 3,
      duplicates: 1,
      rejected: 1,
      rejections: [{ line: 5, reason: expect.stringMatching(/^domain: /) }],
      projected: 3,
    });
    expect(imported.error).toMatchObject({ code: 'TRAFFIC_ROWS_REFUSED', exitCode: ExitCode.failure });

    const again = await run('traffic', 'import', file, '--source', 'sw', '--period', '2022-07', '--json');
    expect(again.json).toMatchObject({ recorded: 0, duplicates: 4 });

    const listed = await run('discovery', '--min-visits', '1000', '--json');
    expect(listed).toMatchObject({
      error: null,
      json: {
        candidates: [
          { domain: 'bigshop.example', rankInList: 1 },
          { domain: 'newssite.example', rankInList: 2 },
        ],
      },
    });

    const opened = await run('discovery', 'open', 'bigshop.example', '--name', 'Big Shop', '--json');
    expect(opened.error).toBeNull();
    expect(opened.json).toMatchObject({ pseId: 'traffic-bigshop.example', state: 'unregistered' });
    const twice = await run('discovery', 'open', 'bigshop.example');
    expect(twice.error).toMatchObject({ code: 'NOT_A_CANDIDATE', exitCode: ExitCode.notFound });
    expect((await run('discovery', '--json')).json).toMatchObject({
      candidates: [{ domain: 'newssite.example' }, { domain: 'tiny.example' }],
    });
  });

  it('given a file of unknown format or without a domain column, then nothing is recorded', async () => {
    const odd = path.join(dir, 'traffic.txt');
    writeFileSync(odd, 'domain,visits\na.example,1\n');
    expect((await run('traffic', 'import', odd)).error).toMatchObject({ exitCode: ExitCode.usage });
    const noDomain = path.join(dir, 'traffic.csv');
    writeFileSync(noDomain, 'host,visits\na.example,1\n');
    expect(
      (await run('traffic', 'import', noDomain, '--source', 'sw', '--period', '2022-07')).error,
    ).toMatchObject({
      code: 'INPUT_FILE_UNREADABLE',
    });
    expect((await run('traffic', 'import', path.join(dir, 'missing.csv'))).error).toMatchObject({
      code: 'INPUT_FILE_UNREADABLE',
    });
  });

  it('given simulate traffic --out, then a seeded CSV with the answer key is written, and traffic import loads it whole', async () => {
    const registry = path.join(dir, 'registry.csv');
    writeFileSync(
      registry,
      ['website', ...Array.from({ length: 30 }, (_, i) => `https://www.tokoreg${i}.co.id/`)].join('\n'),
    );
    const file = path.join(dir, 'simulated.csv.gz');
    const args = ['simulate', 'traffic', '--domains', '300', '--top', '20', '--unregistered', '3'];
    const written = await run(...args, '--seed', '5', '--registry', registry, '--out', file, '--json');
    expect(written.error).toBeNull();
    expect(written.json).toMatchObject({ rows: 300, period: '2022-07', unregistered: [{}, {}, {}] });
    const again = await run(
      ...args,
      '--seed',
      '5',
      '--registry',
      registry,
      '--out',
      path.join(dir, 'again.csv'),
      '--json',
    );
    expect((again.json as { unregistered: unknown }).unregistered).toEqual(
      (written.json as { unregistered: unknown }).unregistered,
    );
    const imported = await run('traffic', 'import', file, '--json');
    expect(imported).toMatchObject({ error: null, json: { rows: 300, recorded: 300, rejected: 0 } });
    // Without --systems, plain simulate is still a usage error.
    expect((await run('simulate')).error).toMatchObject({ exitCode: ExitCode.usage });
  });
});
