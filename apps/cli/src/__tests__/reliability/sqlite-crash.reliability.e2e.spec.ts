import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../cli-process.fixture';
import {
  portFor,
  recordFigures,
  runSeed,
  seededRandom,
  sized,
  sleep,
  spawnNode,
  startServe,
  waitFor,
} from './reliability.fixture';

// The full profile's 50 kill points each check the whole (growing) file: about 15 minutes on 2 cores.
jest.setTimeout(sized(120_000, 2_400_000));

const WRITER = path.join(__dirname, 'sqlite-writer.child.js');

interface ProbeRow {
  stream_id: string;
  revision: number;
  position: number;
  append: number;
  idx: number;
  of: number;
}

/** Opens the file as a fresh process would, checks it, and returns what the checks need. */
function inspect(file: string): { integrity: string; rows: ProbeRow[]; commands: Map<number, number> } {
  const db = new Database(file);
  try {
    const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>)
      .map((r) => r.integrity_check)
      .join('; ');
    const rows = db
      .prepare(
        `SELECT stream_id, revision, position, json_extract(data, '$.append') AS append,
                json_extract(data, '$.index') AS idx, json_extract(data, '$.of') AS "of"
         FROM events ORDER BY position`,
      )
      .all() as ProbeRow[];
    const commands = new Map(
      (
        db.prepare(`SELECT command_id, position FROM commands`).all() as Array<{
          command_id: string;
          position: number;
        }>
      ).map((c) => [Number(c.command_id.slice('append-'.length)), c.position]),
    );
    return { integrity, rows, commands };
  } finally {
    db.close();
  }
}

describe('reliability: the SQLite writer killed mid-transaction', () => {
  const { dir, cleanup } = tempDir('sqlite-kill');
  afterAll(() => cleanup());

  it('given a process appending big batches, when SIGKILLed at random points, then the file opens clean, streams are gap-free and every append is whole', async () => {
    const seed = runSeed();
    const random = seededRandom(seed);
    const kills = sized(5, 50);
    process.stdout.write(`sqlite writer kill: seed ${seed} (SANKSI_RELIABILITY_SEED=${seed} replays it)\n`);
    const file = path.join(dir, 'events.db');
    let next = 0;
    let committedSeen = 0;
    for (let round = 0; round < kills; round++) {
      const writer = spawnNode([WRITER, file, String(next), String(seed + round)], {});
      await waitFor(
        'the writer to commit',
        () => (/committed \d+/.test(writer.output()) ? true : undefined),
        30_000,
      );
      // Kill somewhere inside the stream of transactions: 8 appends of 20-80 events always in flight.
      await sleep(20 + Math.floor(random() * 400));
      writer.child.kill('SIGKILL');
      const exit = await writer.exited;
      expect(exit.signal).toBe('SIGKILL');
      const acknowledged = [...writer.output().matchAll(/committed (\d+) (\d+)/g)].map((m) => ({
        append: Number(m[1]),
        position: Number(m[2]),
      }));
      expect(acknowledged.length).toBeGreaterThan(0);
      committedSeen += acknowledged.length;

      const { integrity, rows, commands } = inspect(file);
      expect(integrity).toBe('ok');
      // Every append is all or nothing: its events are all there, in one run of revisions, and its
      // command row exists exactly when they do.
      const byAppend = new Map<number, ProbeRow[]>();
      for (const r of rows) byAppend.set(r.append, [...(byAppend.get(r.append) ?? []), r]);
      for (const [append, events] of byAppend) {
        expect({ append, count: events.length }).toEqual({ append, count: events[0].of });
        expect(events.map((e) => e.idx)).toEqual(events.map((_, i) => i));
        expect(commands.get(append)).toBe(events[events.length - 1].position);
      }
      expect(commands.size).toBe(byAppend.size);
      // Streams are gap-free: revisions 0..n-1 in position order.
      const revisions = new Map<string, number[]>();
      for (const r of rows) revisions.set(r.stream_id, [...(revisions.get(r.stream_id) ?? []), r.revision]);
      for (const [stream, revs] of revisions) {
        expect({ stream, revs }).toEqual({ stream, revs: revs.map((_, i) => i) });
      }
      // What the writer was told is committed survived the kill (WAL: a process crash loses nothing).
      for (const a of acknowledged) {
        expect({ append: a.append, position: commands.get(a.append) }).toEqual(a);
      }
      next = Math.max(next, ...byAppend.keys()) + 1;
    }
    const final = inspect(file);
    recordFigures('sqlite-writer-kill', {
      seed,
      'kill points survived': kills,
      'appends checked': final.commands.size,
      'events checked': final.rows.length,
      'acknowledged appends found': committedSeen,
    });
  });
});

/** Mounts a small tmpfs (or, failing that, a loop-mounted ext4 file) at `dir`; returns how. */
function mountSmallDisk(dir: string, megabytes: number, scratch: string): string {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir], { stdio: 'pipe' });
    return 'tmpfs';
  } catch (tmpfs) {
    const image = path.join(scratch, 'disk.img');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${image}`, 'bs=1M', `count=${megabytes}`], { stdio: 'pipe' });
      execFileSync('mkfs.ext4', ['-q', '-F', image], { stdio: 'pipe' });
      execFileSync('mount', ['-o', 'loop', image, dir], { stdio: 'pipe' });
      return 'loop-mounted ext4';
    } catch (loop) {
      // Disk-full needs a real small filesystem; without the right to mount one the test cannot be honest.
      throw new Error(
        `the disk-full test mounts a ${megabytes} MB filesystem and needs root (or CAP_SYS_ADMIN): tmpfs failed (${String(
          (tmpfs as Error).message,
        )}), loop failed (${String((loop as Error).message)})`,
      );
    }
  }
}

describe('reliability: disk full under sanksi serve (embedded SQLite)', () => {
  const { dir, cleanup } = tempDir('disk-full');
  const mountPoint = path.join(dir, 'small-disk');
  let mounted = false;
  afterAll(() => {
    if (mounted) execFileSync('umount', ['-l', mountPoint]);
    cleanup();
  });

  it('given a data directory on a full disk, when commands arrive, then 507 problem+json, nothing corrupt, and appends succeed once space returns', async () => {
    const how = mountSmallDisk(mountPoint, 8, dir);
    mounted = true;
    const dataDir = path.join(mountPoint, 'data');
    const served = await startServe(portFor(11), { SANKSI_DATA_DIR: dataDir, SANKSI_WORKER: 'projector' });
    const filler = path.join(mountPoint, 'filler');
    const accepted: string[] = [];
    const refused: Array<{ pseId: string; status: number; body: Record<string, unknown> }> = [];
    try {
      const open = (pseId: string) =>
        fetch(`${served.base}/v1/cases`, {
          method: 'POST',
          headers: { authorization: `Bearer ${served.keys.operator}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            pseId,
            name: `Disk full probe ${pseId} ${'n'.repeat(150)}`,
            origin: 'foreign',
            domains: [`${pseId}.example.com`, `www.${pseId}.example.com`],
          }),
        });
      // Leave about 400 KB: enough for the stores to work, then let commands use it up.
      const free = () => Number(statfsSync(mountPoint).bavail) * Number(statfsSync(mountPoint).bsize);
      writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 400 * 1024)));
      for (let i = 0; i < 20_000 && refused.length < 5; i++) {
        const pseId = `full-${i}`;
        const res = await open(pseId);
        if (res.status === 201) accepted.push(pseId);
        else refused.push({ pseId, status: res.status, body: (await res.json()) as Record<string, unknown> });
      }
      expect(accepted.length).toBeGreaterThan(0);
      expect(refused.length).toBe(5);
      for (const r of refused) {
        expect(r.status).toBe(507);
        expect(r.body).toMatchObject({
          type: 'https://sanksi.dev/problems/insufficient-storage',
          title: 'Insufficient storage',
          status: 507,
          retryable: true,
        });
        expect(String(r.body['detail'])).toContain('out of disk space');
      }
      // A refused command wrote nothing: the case does not exist.
      const absent = await fetch(`${served.base}/v1/cases/${refused[0].pseId}/events`, {
        headers: { authorization: `Bearer ${served.keys.analyst}` },
      });
      expect(absent.status).toBe(404);

      // Space returns: the same server takes commands again and the projector catches up.
      rmSync(filler);
      const again = await open(refused[0].pseId);
      expect(again.status).toBe(201);
      accepted.push(refused[0].pseId);
      await waitFor(
        'the projector to catch up after space returned',
        async () => {
          const res = await fetch(`${served.base}/v1/cases/${refused[0].pseId}`, {
            headers: { authorization: `Bearer ${served.keys.analyst}` },
          });
          return res.status === 200 ? true : undefined;
        },
        60_000,
      );
    } finally {
      await served.stop();
    }
    // Nothing corrupt: both files open clean, and the log holds exactly the accepted cases.
    for (const file of ['events.db', 'read-models.db']) {
      const db = new Database(path.join(dataDir, file));
      try {
        expect({ file, integrity: db.pragma('integrity_check', { simple: true }) }).toEqual({
          file,
          integrity: 'ok',
        });
        if (file === 'events.db') {
          const streams = (
            db.prepare(`SELECT stream_id FROM events WHERE revision = 0 ORDER BY position`).all() as Array<{
              stream_id: string;
            }>
          ).map((r) => r.stream_id);
          expect(streams).toEqual(accepted.map((id) => `pse-${id}`));
        } else {
          const projected = db.prepare(`SELECT count(*) AS n FROM case_summary`).get() as { n: number };
          expect(projected.n).toBe(accepted.length);
        }
      } finally {
        db.close();
      }
    }
    recordFigures('sqlite-disk-full', {
      filesystem: how,
      'commands accepted before full': accepted.length - 1,
      'refusals (507)': refused.length,
      'accepted after space returned': 1,
    });
  });
});
