import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { Blocklist, BlocklistEntry, BlocklistFeedEntry } from '@sanksi/read-models';
import { BLOCKLIST_FORMATS } from './blocklist-formats';
import { bodyOf, type BlocklistRendering, BlocklistRenderings, CHUNK_PIECES } from './blocklist-renderings';
import { PublishedBlocklist } from './published-blocklist';

const renderBlocklistBody = (
  format: (typeof BLOCKLIST_FORMATS)[number],
  list: PublishedBlocklist,
  position: number,
): string => list.bytes(format, position).toString('utf8');

const since = '2022-07-30T06:00:00+07:00';

/**
 * A blocklist read model as the store keeps it: a change feed, and the list that is the feed replayed
 * up to its newest line (`Blocklist.lastChange`). Counts the reads it answers.
 */
function feed() {
  const state = { lines: [] as BlocklistFeedEntry[], wholeReads: 0, pageReads: 0 };
  const replayed = (): BlocklistEntry[] => {
    const listed = new Map<string, BlocklistEntry>();
    for (const l of state.lines) {
      const key = `${l.kind} ${l.domain} ${l.pseId}`;
      if (l.action === 'add')
        listed.set(key, { kind: l.kind, domain: l.domain, pseId: l.pseId, since: l.at });
      else listed.delete(key);
    }
    return [...listed.values()];
  };
  const last = () => state.lines[state.lines.length - 1]?.position ?? 0;
  return {
    state,
    replayed,
    /** Appends the lines of one event at the next position. */
    change(
      ...lines: (readonly [action: 'add' | 'remove', domain: string, pseId: string, kind?: 'domain' | 'ip'])[]
    ) {
      const position = last() + 1;
      for (const [action, domain, pseId, kind = 'domain'] of lines)
        state.lines.push({ position, kind, domain, pseId, action, at: since });
    },
    getBlocklistVersion: async () => last(),
    getBlocklist: async (): Promise<Blocklist> => {
      state.wholeReads += 1;
      return { position: last(), lastChange: last(), entries: replayed() };
    },
    // Pages end on a whole position, as the store's do.
    getBlocklistChanges: async (after: number, limit = 1000): Promise<BlocklistFeedEntry[]> => {
      state.pageReads += 1;
      const later = state.lines.filter((l) => l.position > after);
      const end = later[Math.min(limit, later.length) - 1]?.position;
      return structuredClone(later.filter((l) => end !== undefined && l.position <= end));
    },
  };
}

const shown = (instant: string) => instant;
const textOf = (rendering: BlocklistRendering): string => bodyOf(rendering).toString('utf8');

describe('the kept renderings of the whole blocklist', () => {
  it('when a format is asked twice with no change between, then both answers are the same bytes, read, rendered and encoded once', async () => {
    const f = feed();
    f.change(['add', 'paypal.com', 'pse-1'], ['add', 'store.steampowered.com', 'pse-2']);
    const renderings = new BlocklistRenderings(f, shown);
    const first = await renderings.current('txt');
    const second = await renderings.current('txt');
    const text = renderBlocklistBody('txt', PublishedBlocklist.of(f.replayed()), 1);
    expect(first.pieces.every((p) => Buffer.isBuffer(p))).toBe(true);
    expect(textOf(first)).toBe('paypal.com\nstore.steampowered.com\n');
    expect(textOf(first)).toBe(text);
    expect(first.length).toBe(Buffer.byteLength(text));
    expect(first.etag).toBe(PublishedBlocklist.of(f.replayed()).etag('txt', 1));
    expect(second).toBe(first);
    expect(f.state.wholeReads).toBe(1);
  });

  it('given the list read ahead (warm), when formats are then asked, then none reads the whole list again, and a later change moves it on by its lines', async () => {
    const f = feed();
    f.change(['add', 'paypal.com', 'pse-1']);
    const renderings = new BlocklistRenderings(f, shown);
    await renderings.warm();
    expect(f.state.wholeReads).toBe(1);
    expect(textOf(await renderings.current('txt'))).toBe('paypal.com\n');
    f.change(['add', 'epicgames.com', 'pse-3']);
    const json = await renderings.current('json');
    expect(JSON.parse(textOf(json)).entries).toHaveLength(2);
    expect(f.state.wholeReads).toBe(1);
  });

  it('given a warm that failed (the read models away), then the first ask reads the list itself', async () => {
    const f = feed();
    f.change(['add', 'paypal.com', 'pse-1']);
    let failing = true;
    const renderings = new BlocklistRenderings(
      {
        ...f,
        getBlocklist: () => (failing ? Promise.reject(new Error('read models away')) : f.getBlocklist()),
      },
      shown,
    );
    await expect(renderings.warm()).rejects.toThrow('read models away');
    failing = false;
    expect(textOf(await renderings.current('txt'))).toBe('paypal.com\n');
    expect(f.state.wholeReads).toBe(1);
  });

  it('when the list changes, then it moves on by the new feed lines alone; concurrent asks share one read', async () => {
    const f = feed();
    f.change(['add', 'paypal.com', 'pse-1']);
    const renderings = new BlocklistRenderings(f, shown);
    const before = await renderings.current('json');
    f.change(['add', 'epicgames.com', 'pse-3']);
    f.change(['remove', 'paypal.com', 'pse-1']);
    const pagesBefore = f.state.pageReads;
    const [a, b] = await Promise.all([renderings.current('json'), renderings.current('json')]);
    expect(a).toBe(b);
    expect(f.state.wholeReads).toBe(1);
    // One page from the position applied last, one that finds nothing after it.
    expect(f.state.pageReads - pagesBefore).toBe(2);
    expect(a.position).toBe(3);
    expect(a.etag).not.toBe(before.etag);
    expect(JSON.parse(textOf(a))).toEqual({
      position: 3,
      entries: [{ domain: 'epicgames.com', pseId: 'pse-3', since }],
    });
  });

  it('when the feed is no longer the one followed (rebuilt differently, or gone back), then the whole list is read again', async () => {
    const f = feed();
    f.change(['add', 'paypal.com', 'pse-1']);
    f.change(['add', 'steam.com', 'pse-2']);
    const renderings = new BlocklistRenderings(f, shown);
    await renderings.current('txt');
    // The feed replaced: another line at the position the list stands at, and one more after it.
    f.state.lines = f.state.lines.slice(0, 1);
    f.change(['add', 'xandr.com', 'pse-4']);
    f.change(['add', 'dota.com', 'pse-2']);
    const after = await renderings.current('txt');
    expect(f.state.wholeReads).toBe(2);
    expect(textOf(after)).toBe('dota.com\npaypal.com\nxandr.com\n');
    // Gone back below it: read whole again.
    f.state.lines = f.state.lines.slice(0, 1);
    expect(textOf(await renderings.current('txt'))).toBe('paypal.com\n');
    expect(f.state.wholeReads).toBe(3);
  });

  it('given any history of the feed, polled at any moments, then every format is what the stored list renders', async () => {
    const line = fc.record({
      action: fc.constantFrom('add' as const, 'remove' as const),
      // A few addresses and cases so that lines meet: the same name for two cases, an IP, a bad name.
      domain: fc.constantFrom(
        'paypal.com',
        'steam.com',
        'a.b.steam.com',
        '8.8.4.4',
        '2606:4700::1111',
        'pay pal',
      ),
      pseId: fc.constantFrom('pse-1', 'pse-2', 'pse-3'),
    });
    const history = fc.array(fc.record({ lines: fc.array(line, { maxLength: 3 }), poll: fc.boolean() }), {
      maxLength: 40,
    });
    await fc.assert(
      fc.asyncProperty(history, async (events) => {
        const f = feed();
        const renderings = new BlocklistRenderings(f, shown);
        for (const { lines, poll } of events) {
          // One event lists or unlists each address of a case once, as the projection's diff does.
          const once = new Map(lines.map((l) => [`${l.domain} ${l.pseId}`, l]));
          f.change(
            ...[...once.values()].map(
              (l) => [l.action, l.domain, l.pseId, /^[\d.:]+$/.test(l.domain) ? 'ip' : 'domain'] as const,
            ),
          );
          if (!poll) continue;
          const stored = PublishedBlocklist.of(f.replayed());
          const version = await f.getBlocklistVersion();
          for (const format of BLOCKLIST_FORMATS) {
            const rendering = await renderings.current(format);
            expect(rendering.position).toBe(version);
            expect(textOf(rendering)).toBe(renderBlocklistBody(format, stored, version));
          }
        }
        expect(f.state.wholeReads).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });

  it('when thousands of lines arrive between two asks, then the list is sorted again whole and renders as stored', async () => {
    const f = feed();
    f.change(['add', 'paypal.com', 'pse-1'], ['add', '8.8.4.4', 'pse-1', 'ip']);
    const renderings = new BlocklistRenderings(f, shown);
    await renderings.current('csv');
    for (let i = 0; i < 3000; i += 1) f.change(['add', `shop-${(i * 7919) % 3001}.co.id`, `pse-${i % 7}`]);
    for (let i = 0; i < 3000; i += 3) f.change(['remove', `shop-${(i * 7919) % 3001}.co.id`, `pse-${i % 7}`]);
    f.change(['remove', 'paypal.com', 'pse-1'], ['add', '1.1.1.1', 'pse-9', 'ip']);
    const stored = PublishedBlocklist.of(f.replayed());
    for (const format of BLOCKLIST_FORMATS)
      expect(textOf(await renderings.current(format))).toBe(
        renderBlocklistBody(format, stored, await f.getBlocklistVersion()),
      );
    expect(stored.size).toBe(2002);
    expect(f.state.wholeReads).toBe(1);
  });

  it('given one position with more lines than a page of the feed, when the list changes after it, then the change is applied', async () => {
    const f = feed();
    const names = Array.from({ length: 10_001 }, (_, i) => `site${String(i).padStart(5, '0')}.example`);
    f.change(...names.map((name, i) => ['add', name, `pse-${i}`] as const));
    const renderings = new BlocklistRenderings(f, shown);
    expect((await renderings.current('txt')).position).toBe(1);
    f.change(['remove', names[0], 'pse-0']);
    const after = await renderings.current('txt');
    expect(after.position).toBe(2);
    expect(textOf(after).startsWith(`${names[1]}\n`)).toBe(true);
    expect(f.state.wholeReads).toBe(1);
  });

  it('given a list of many blocks, when one entry changes, then the answer is sent in a few chunks and only the changed one is put together again', async () => {
    const f = feed();
    const names = Array.from({ length: 40_000 }, (_, i) => `site${String(i).padStart(5, '0')}.example`);
    // Cases of 500 names each (the most a case may have), one position each.
    for (let i = 0; i < names.length; i += 500)
      f.change(...names.slice(i, i + 500).map((name, j) => ['add', name, `pse-${i + j}`] as const));
    const renderings = new BlocklistRenderings(f, shown);
    const before = await renderings.current('json');
    // The head alone, then runs of CHUNK_PIECES blocks: far fewer writes than blocks.
    expect(before.chunks.length).toBe(1 + Math.ceil((before.pieces.length - 1) / CHUNK_PIECES));
    expect(before.chunks.length).toBeLessThan(before.pieces.length / 8);
    f.change(['remove', names[20_000], 'pse-20000']);
    const after = await renderings.current('json');
    const fresh = PublishedBlocklist.of(f.replayed()).bytes('json', after.position);
    expect(bodyOf(after).equals(fresh)).toBe(true);
    expect(after.etag).toBe(PublishedBlocklist.of(f.replayed()).etag('json', after.position));
    const kept = new Set(before.chunks);
    // The head names the position; one run holds the changed block: every other chunk is the same buffer.
    expect(after.chunks.filter((c) => !kept.has(c))).toHaveLength(2);
  });

  it('when gzip is asked of a rendering, then it inflates to the same bytes and is compressed once', async () => {
    const f = feed();
    f.change(['add', 'paypal.com', 'pse-1']);
    const renderings = new BlocklistRenderings(f, shown);
    const rendering = await renderings.current('rpz');
    const gzipped = await renderings.gzipOf(rendering);
    expect(gunzipSync(gzipped).equals(bodyOf(rendering))).toBe(true);
    expect(await renderings.gzipOf(rendering)).toBe(gzipped);
  });
});
