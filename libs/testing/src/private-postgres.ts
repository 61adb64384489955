import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of its own (initdb in a temporary directory, a free port, trust auth), for
 * tests that stop, restart or crash the server: the shared server on 5432 is never touched.
 */
export interface PrivatePostgres {
  readonly port: number;
  readonly dataDir: string;
  /** Connection URL of `database` (default `postgres`) as the superuser `postgres`. */
  url(database?: string): string;
  /** Starts the server and waits until it accepts connections. */
  start(): Promise<void>;
  /** `fast` (default) rolls back open transactions and disconnects; `immediate` is a crash (recovery on next start). */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  /** `pg_ctl restart` (fast). */
  restart(): Promise<void>;
  /** Stops the server (immediate) and removes its directory; calling it twice is harmless. */
  destroy(): Promise<void>;
  /** The server's log so far (for failure messages). */
  log(): string;
}

/** Options of `startPrivatePostgres`. */
export interface PrivatePostgresOptions {
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
  /** Where initdb and pg_ctl are; default `SANKSI_PG_BIN`, else the newest /usr/lib/postgresql/<v>/bin. */
  binDir?: string;
}

/** initdb + start of a private cluster on a free port; `destroy()` removes it. */
export async function startPrivatePostgres(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const bin = options.binDir ?? process.env['SANKSI_PG_BIN'] ?? newestPostgresBin();
  const root = mkdtempSync(path.join(tmpdir(), 'sanksi-pg-'));
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'server.log');
  // PostgreSQL refuses to run as root: as root, the cluster belongs to (and runs as) `postgres`.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
  }
  const exec = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args])
      : run(path.join(bin, tool), args);
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: root,
    // A process crash (stop immediate, SIGKILL) loses nothing the OS already holds; only a machine
    // crash would, and no test simulates one. Saves the fsyncs.
    fsync: 'off',
    max_connections: '50',
    ...options.settings,
  };
  const serverOptions = [`-p ${port}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  let destroyed = false;
  const ctl = async (args: string[]) => {
    try {
      await exec('pg_ctl', ['-D', dataDir, ...args]);
    } catch (e) {
      throw new Error(`pg_ctl ${args.join(' ')} failed: ${(e as Error).message}\n${readLog()}`);
    }
  };
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const cluster: PrivatePostgres = {
    port,
    dataDir,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: () => ctl(['-o', serverOptions, '-l', logFile, '-w', '-t', '60', 'start']),
    stop: (mode = 'fast') => ctl(['-m', mode, '-w', '-t', '60', 'stop']),
    restart: () => ctl(['-o', serverOptions, '-l', logFile, '-m', 'fast', '-w', '-t', '60', 'restart']),
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
        await exec('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      }
      rmSync(root, { recursive: true, force: true });
    },
    log: readLog,
  };
  try {
    await exec('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    await cluster.start();
  } catch (e) {
    await cluster.destroy();
    throw e;
  }
  return cluster;
}

function newestPostgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(path.join(base, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      `no PostgreSQL server binaries under ${base}; set SANKSI_PG_BIN to the directory of pg_ctl`,
    );
  }
  return path.join(base, versions[0], 'bin');
}
