import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { BlocklistEntry } from '@sanksi/read-models';
import { BLOCKLIST_FORMATS } from './blocklist-formats';
import { gzipOfPieces } from './gzip-pieces';
import { PublishedBlocklist, RENDERING_VERSION } from './published-blocklist';

/** Each format's bytes of the list in the rendering-version spec, as `RENDERING_VERSION` 1 writes them. */
const PINNED: Record<string, string> = {
  csv: 'ab93261cdc7036c8',
  hosts: '6c5485007b393cbf',
  json: 'f782691330f13aed',
  rpz: '1ffcb10c964b1fa6',
  txt: '6d57016da4f00490',
};

// Addresses that meet: names that sort next to each other and prefix one another, one name in two
// stored forms (a Unicode and an A-label), IPv4 and IPv6, and entries the rules leave out.
const ADDRESSES: Array<[kind: 'domain' | 'ip', address: string]> = [
  ['domain', 'a.com'],
  ['domain', 'a.com.id'],
  ['domain', 'a-b.com'],
  ['domain', 'b.com'],
  ['domain', 'bücher.de'],
  ['domain', 'xn--bcher-kva.de'],
  ['domain', 'z.co.id'],
  ['domain', 'pay pal'],
  ['ip', '8.8.4.4'],
  ['ip', '13.227.254.72'],
  ['ip', '2606:4700::1111'],
  ['ip', '10.0.0.1'],
];

const change = fc.record({
  action: fc.constantFrom('add' as const, 'remove' as const),
  address: fc.constantFrom(...ADDRESSES),
  pseId: fc.constantFrom('pse-1', 'pse-2', 'pse-3', '=cmd'),
  since: fc.constantFrom('2022-07-30T10:00:00+07:00', '2022-08-01T09:00:00+07:00'),
});

describe('the published blocklist kept in blocks', () => {
  it('given any changes applied in any batches to small blocks, then every format is the bytes of the same entries loaded at once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(change, { maxLength: 12 }), { maxLength: 30 }),
        fc.integer({ min: 2, max: 6 }),
        (batches, blockSize) => {
          const kept = new PublishedBlocklist(undefined, blockSize);
          const listed = new Map<string, BlocklistEntry>();
          for (const [position, batch] of batches.entries()) {
            const lines = batch.map(({ action, address: [kind, domain], pseId, since }) => ({
              action,
              entry: { kind, domain, pseId, since },
            }));
            kept.apply(lines);
            for (const { action, entry } of lines) {
              const key = `${entry.kind} ${entry.domain} ${entry.pseId}`;
              if (action === 'add') listed.set(key, entry);
              else listed.delete(key);
            }
            // Asked after some batches only, so that kept bytes of unchanged blocks are reused.
            if (position % 3 !== 0) continue;
            const loaded = PublishedBlocklist.of([...listed.values()]);
            expect(kept.size).toBe(loaded.size);
            for (const format of BLOCKLIST_FORMATS) {
              expect(kept.bytes(format, position).toString('utf8')).toBe(
                loaded.bytes(format, position).toString('utf8'),
              );
              // The same entries, however they came and however the blocks fell: the same tag.
              expect(kept.etag(format, position)).toBe(loaded.etag(format, position));
            }
            expect(JSON.parse(kept.bytes('json', position).toString('utf8'))).toEqual({
              position,
              entries: loaded.published(),
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('given any two lists, then one tag is one list of bytes, and the same entries are the same tag', () => {
    const list = fc.array(change, { maxLength: 10 }).map((changes) => {
      const listed = new Map<string, BlocklistEntry>();
      for (const {
        action,
        address: [kind, domain],
        pseId,
        since,
      } of changes) {
        const key = `${kind} ${domain} ${pseId}`;
        if (action === 'add') listed.set(key, { kind, domain, pseId, since });
        else listed.delete(key);
      }
      return PublishedBlocklist.of([...listed.values()]);
    });
    fc.assert(
      fc.property(list, list, fc.constantFrom(...BLOCKLIST_FORMATS), fc.nat(3), (a, b, format, position) => {
        // One tag, one list of bytes (the other way round need not hold: txt and hosts leave IPs out, so
        // lists of other IPs write the same bytes under other tags — a download too many, never a stale 304).
        if (a.etag(format, position) === b.etag(format, position))
          expect(a.bytes(format, position).equals(b.bytes(format, position))).toBe(true);
        if (a.bytes('json', position).equals(b.bytes('json', position)))
          expect(a.etag(format, position)).toBe(b.etag(format, position));
        // Another position or format of one list is another tag.
        expect(a.etag(format, position)).not.toBe(a.etag(format, position + 1));
        const other = BLOCKLIST_FORMATS.find((f) => f !== format) ?? format;
        expect(a.etag(format, position)).not.toBe(a.etag(other, position));
      }),
      { numRuns: 500 },
    );
  });

  it('given one list, then each format writes the bytes of this rendering version (a change of any must change RENDERING_VERSION: the tags name the entries, not the bytes)', () => {
    const list = PublishedBlocklist.of([
      { kind: 'domain', domain: 'paypal.com', pseId: 'paypal', since: '2022-07-30T10:00:00+07:00' },
      {
        kind: 'domain',
        domain: 'Store.SteamPowered.com',
        pseId: 'steam',
        since: '2022-07-30T10:00:00+07:00',
      },
      { kind: 'ip', domain: '13.227.254.72', pseId: 'steam', since: '2022-07-30T10:00:00+07:00' },
      { kind: 'ip', domain: '2606:4700::1111', pseId: 'cf', since: '2022-08-01T09:00:00+07:00' },
    ]);
    const digests = Object.fromEntries(
      BLOCKLIST_FORMATS.map((format) => [
        format,
        createHash('sha256').update(list.bytes(format, 7)).digest('hex').slice(0, 16),
      ]),
    );
    expect({ version: RENDERING_VERSION, digests }).toEqual({ version: 1, digests: PINNED });
  });

  it('given any changes to small blocks, then the gzip made from the pieces inflates to the bytes, and unchanged blocks keep their piece', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(change, { maxLength: 8 }), { minLength: 1, maxLength: 12 }),
        async (batches) => {
          const kept = new PublishedBlocklist(undefined, 3);
          for (const [position, batch] of batches.entries()) {
            const before = new Set(kept.pieces('csv', position));
            kept.apply(
              batch.map(({ action, address: [kind, domain], pseId, since }) => ({
                action,
                entry: { kind, domain, pseId, since },
              })),
            );
            for (const format of BLOCKLIST_FORMATS) {
              const pieces = kept.pieces(format, position);
              const whole = Buffer.concat(pieces);
              expect(gunzipSync(await gzipOfPieces(pieces)).equals(whole)).toBe(true);
            }
            // Headers aside, at most the blocks the batch touched (and those split from them) are new pieces:
            // a change removes its entry from one block and adds it to another, which may split — three.
            const after = kept.pieces('csv', position).slice(1);
            expect(after.filter((p) => !before.has(p)).length).toBeLessThanOrEqual(3 * batch.length);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('given a whole stored list, when loaded a slice at a time, then it is the list made at once, and the loop had its turns', async () => {
    const since = '2022-07-30T10:00:00+07:00';
    const stored: BlocklistEntry[] = Array.from({ length: 5000 }, (_, i) => ({
      kind: i % 50 === 0 ? 'ip' : 'domain',
      domain:
        i % 50 === 0 ? `8.8.${Math.floor(i / 256) % 256}.${i % 256}` : `shop-${(i * 7919) % 5003}.co.id`,
      pseId: `pse-${i % 900}`,
      since,
    }));
    let turns = 0;
    const loaded = await PublishedBlocklist.loaded(stored, {
      shown: (e) => ({ ...e, since: '2022-07-30T10:00:00+07:00' }),
      turn: async () => {
        turns += 1;
      },
    });
    const atOnce = PublishedBlocklist.of(stored);
    expect(turns).toBeGreaterThanOrEqual(2);
    expect(loaded.size).toBe(atOnce.size);
    for (const format of BLOCKLIST_FORMATS)
      expect(loaded.bytes(format, 9).equals(atOnce.bytes(format, 9))).toBe(true);
  });

  it('given the same name listed by two cases, then txt, hosts and rpz name it once and CSV and JSON once a case', () => {
    const since = '2022-07-30T10:00:00+07:00';
    const list = new PublishedBlocklist(undefined, 2);
    list.apply(
      ['pse-1', 'pse-2', 'pse-3'].flatMap((pseId) => [
        { action: 'add' as const, entry: { domain: 'shop.com', pseId, since } },
        { action: 'add' as const, entry: { domain: 'a.com', pseId, since } },
      ]),
    );
    expect(list.bytes('txt', 1).toString()).toBe('a.com\nshop.com\n');
    expect(
      list
        .bytes('rpz', 1)
        .toString()
        .match(/^shop\.com CNAME/gm),
    ).toHaveLength(1);
    expect(
      list
        .bytes('csv', 1)
        .toString()
        .match(/^shop\.com,/gm),
    ).toHaveLength(3);
    expect(list.published()).toHaveLength(6);
  });

  it('given entries the rules leave out, then each is told once when it arrives and never written', () => {
    const told: string[] = [];
    const list = new PublishedBlocklist((d) => told.push(d.domain));
    const since = '2022-07-30T10:00:00+07:00';
    list.apply([{ action: 'add', entry: { domain: 'pay pal', pseId: 'pse-1', since } }]);
    list.bytes('txt', 1);
    list.bytes('csv', 1);
    list.apply([{ action: 'remove', entry: { domain: 'pay pal', pseId: 'pse-1', since } }]);
    expect(told).toEqual(['pay pal']);
    expect(list.size).toBe(0);
  });
});
