import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { BLOCKLIST_FORMATS } from './blocklist-formats';
import { PublishedBlocklist, renderBlocklist } from './published-blocklist';
import { wib as toWib } from '../cases/case-view';
import { startApiHarness, TEST_KEYS, type ApiHarness, harnessBackends } from '../testing/api-harness';

const operator = { authorization: `Bearer ${TEST_KEYS.operator}`, 'content-type': 'application/json' };
const service = { authorization: `Bearer ${TEST_KEYS.service}` };
const wib = (local: string) => `${local}:00+07:00`;

/** One request over a real socket (not `inject`), without compression, the answer read whole. */
function download(
  port: number,
  method: 'GET' | 'HEAD',
  path: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers: { ...service, 'accept-encoding': 'identity' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// The same on the embedded default and on PostgreSQL (a database of its own): the kept list follows
// either store's change feed.
const backends = harnessBackends('sanksi_blocklist_e2e');

describe.each(backends)(
  'the blocklist for feed pollers on %s: a strong ETag per format, 304 while nothing changed',
  (_name, backend) => {
    let h: ApiHarness;
    let cleanup: () => Promise<void> = async () => undefined;
    const command = async (url: string, payload: object) => {
      const res = await h.app.inject({ method: 'POST', url, payload, headers: operator });
      expect(res.statusCode).toBeLessThan(300);
    };
    const get = (url: string, headers: Record<string, string> = {}) =>
      h.app.inject({ method: 'GET', url, headers: { ...service, ...headers } });
    const open = (pseId: string) =>
      command('/v1/cases', {
        pseId,
        name: pseId,
        origin: 'foreign',
        domains: [`${pseId}.com`],
        policy: 'mr5-literal',
      });

    // Given PayPal blocked on 30 July 2022 (warned on 23 July, under the literal MR5 policy) and Steam warned.
    beforeAll(async () => {
      const store = await backend();
      cleanup = store.cleanup;
      h = await startApiHarness(
        { SANKSI_DEFAULT_POLICY: 'mr5-literal', ...store.env },
        { now: '2022-07-18T02:00:00Z' },
      );
      for (const pseId of ['paypal', 'steam']) await open(pseId);
      h.clock.set('2022-07-23T03:00:00Z');
      for (const pseId of ['paypal', 'steam'])
        await command(`/v1/cases/${pseId}/warnings`, {
          letterNumber: `B-${pseId}/2022`,
          occurredAt: wib('2022-07-23T10:00'),
        });
      h.clock.set('2022-07-30T03:30:00Z');
      await command('/v1/cases/paypal/blocks', { orderNumber: 'ORD-1', occurredAt: wib('2022-07-30T10:00') });
      await h.project();
    });
    afterAll(async () => {
      await h?.close();
      await cleanup();
    });

    const feedPosition = async (): Promise<number> =>
      ((await get('/v1/blocklist/changes?after=0')).json() as { position: number }).position;

    it('when each format is asked, then it carries a strong ETag of its own and the position of the last change', async () => {
      const tags = new Set<string>();
      const position = await feedPosition();
      expect(position).toBeGreaterThan(0);
      for (const format of BLOCKLIST_FORMATS) {
        const res = await get(`/v1/blocklist?format=${format}`);
        expect(res.statusCode).toBe(200);
        expect(res.headers.etag).toMatch(/^"\d+-[A-Za-z0-9_-]+"$/);
        expect(res.headers['x-blocklist-position']).toBe(String(position));
        tags.add(res.headers.etag as string);
      }
      expect(tags.size).toBe(BLOCKLIST_FORMATS.length);
    });

    it('when a format is asked, then its bytes are the rendering of the stored list as of that change', async () => {
      const position = await feedPosition();
      const entries = [{ domain: 'paypal.com', pseId: 'paypal', since: '2022-07-30T10:00:00+07:00' }];
      expect((await get('/v1/blocklist?format=txt')).body).toBe('paypal.com\n');
      expect((await get('/v1/blocklist?format=rpz')).body).toBe(renderBlocklist('rpz', entries, position));
      const json = await get('/v1/blocklist');
      expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(json.json()).toEqual({ position, entries });
    });

    it('when a format is downloaded over a socket, then its bytes come whole with their Content-Length, and HEAD sends the headers alone', async () => {
      await h.app.listen(0, '127.0.0.1');
      const { port } = h.app.getHttpServer().address() as AddressInfo;
      for (const format of BLOCKLIST_FORMATS) {
        const expected = (await get(`/v1/blocklist?format=${format}`)).rawPayload;
        const got = await download(port, 'GET', `/v1/blocklist?format=${format}`);
        expect(got.status).toBe(200);
        expect(got.headers['content-length']).toBe(String(expected.length));
        expect(got.headers['transfer-encoding']).toBeUndefined();
        expect(got.body.equals(expected)).toBe(true);
        const head = await download(port, 'HEAD', `/v1/blocklist?format=${format}`);
        expect(head.status).toBe(200);
        expect(head.headers.etag).toBe(got.headers.etag);
        expect(head.body.length).toBe(0);
      }
    });

    it('when the ETag is sent back, then 304 with no body; a stale, weak or listed tag is compared as RFC 9110 says', async () => {
      for (const format of BLOCKLIST_FORMATS) {
        const first = await get(`/v1/blocklist?format=${format}`);
        const etag = first.headers.etag as string;
        const again = await get(`/v1/blocklist?format=${format}`, { 'if-none-match': etag });
        expect(again.statusCode).toBe(304);
        expect(again.body).toBe('');
        expect(again.headers.etag).toBe(etag);
        expect(
          (await get(`/v1/blocklist?format=${format}`, { 'if-none-match': `"1-x", W/${etag}` })).statusCode,
        ).toBe(304);
        const other = await get(`/v1/blocklist?format=${format}`, { 'if-none-match': '"0-stale"' });
        expect(other.statusCode).toBe(200);
        expect(other.body).toBe(first.body);
      }
    });

    it('when gzip is accepted, then each format comes gzip-encoded under an ETag of its own, the same bytes once inflated', async () => {
      for (const format of BLOCKLIST_FORMATS) {
        const plain = await get(`/v1/blocklist?format=${format}`);
        const zipped = await get(`/v1/blocklist?format=${format}`, { 'accept-encoding': 'br, gzip;q=0.8' });
        expect(zipped.statusCode).toBe(200);
        expect(zipped.headers['content-encoding']).toBe('gzip');
        expect(zipped.headers['content-type']).toBe(plain.headers['content-type']);
        expect(zipped.headers.vary).toBe('accept-encoding');
        expect(plain.headers.vary).toBe('accept-encoding');
        expect(plain.headers['content-encoding']).toBeUndefined();
        expect(gunzipSync(zipped.rawPayload).toString('utf8')).toBe(plain.body);
        expect(zipped.headers.etag).toBe(`W/${(plain.headers.etag as string).slice(0, -1)}-gz"`);
        expect(zipped.headers['x-blocklist-position']).toBe(plain.headers['x-blocklist-position']);
        // Its own tag gets 304; the identity tag names another representation, so the gzip is sent.
        const gz = { 'accept-encoding': 'gzip' };
        expect(
          (
            await get(`/v1/blocklist?format=${format}`, {
              ...gz,
              'if-none-match': zipped.headers.etag as string,
            })
          ).statusCode,
        ).toBe(304);
        const other = await get(`/v1/blocklist?format=${format}`, {
          ...gz,
          'if-none-match': plain.headers.etag as string,
        });
        expect(other.statusCode).toBe(200);
        expect(other.rawPayload.equals(zipped.rawPayload)).toBe(true);
      }
    });

    it.each(['gzip;q=0', 'identity', '*;q=0, br', 'deflate, gzip;q=0, *'])(
      'when Accept-Encoding is %p, then the list is sent unencoded',
      async (acceptEncoding) => {
        const res = await get('/v1/blocklist?format=txt', { 'accept-encoding': acceptEncoding });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-encoding']).toBeUndefined();
        expect(res.body).toBe('paypal.com\n');
      },
    );

    it('given a command that leaves the blocklist as it was, then the checkpoint moves but the ETag still answers 304', async () => {
      const before = await get('/v1/blocklist?format=hosts');
      const checkpoint = await h.runtime.readModels.getCheckpoint();
      await open('xandr');
      await h.project();
      expect(await h.runtime.readModels.getCheckpoint()).toBeGreaterThan(checkpoint);
      const after = await get('/v1/blocklist?format=hosts', {
        'if-none-match': before.headers.etag as string,
      });
      expect(after.statusCode).toBe(304);
      expect(after.headers['x-blocklist-position']).toBe(before.headers['x-blocklist-position']);
    });

    it('given a block that changes the list, then the old ETag gets 200 with the new list, a new ETag and the new position', async () => {
      const before = await get('/v1/blocklist?format=txt');
      h.clock.set('2022-07-30T04:00:00Z');
      await command('/v1/cases/steam/blocks', { orderNumber: 'ORD-2', occurredAt: wib('2022-07-30T11:00') });
      // Not projected yet: the list has not changed, so the kept rendering still holds.
      expect(
        (await get('/v1/blocklist?format=txt', { 'if-none-match': before.headers.etag as string }))
          .statusCode,
      ).toBe(304);
      await h.project();
      const after = await get('/v1/blocklist?format=txt', { 'if-none-match': before.headers.etag as string });
      expect(after.statusCode).toBe(200);
      expect(after.body).toBe('paypal.com\nsteam.com\n');
      expect(after.headers.etag).not.toBe(before.headers.etag);
      expect(Number(after.headers['x-blocklist-position'])).toBeGreaterThan(
        Number(before.headers['x-blocklist-position']),
      );
      expect(after.headers['x-blocklist-position']).toBe(String(await feedPosition()));
      expect(
        (await get('/v1/blocklist?format=txt', { 'if-none-match': after.headers.etag as string })).statusCode,
      ).toBe(304);
    });

    it('given many pollers at once after a change, then every one gets the same bytes and ETag', async () => {
      h.clock.set('2022-07-30T05:00:00Z');
      await command('/v1/cases/paypal/registrations', {
        channel: 'oss',
        occurredAt: wib('2022-07-30T12:00'),
      });
      await h.project();
      const answers = await Promise.all(Array.from({ length: 20 }, () => get('/v1/blocklist?format=csv')));
      expect(new Set(answers.map((a) => a.headers.etag)).size).toBe(1);
      expect(new Set(answers.map((a) => a.body)).size).toBe(1);
      expect(answers[0]?.statusCode).toBe(200);
    });

    it('given the change feed, then a page at the head follows the next change, and pages of one position replay the list', async () => {
      const head = (await get('/v1/blocklist/changes?after=0&limit=10000')).json() as {
        position: number;
        changes: Array<{ position: number; domain: string; action: string }>;
      };
      const atHead = `/v1/blocklist/changes?after=${head.position}`;
      // Kept as the JSON text answered: asked again, the same bytes, still JSON.
      const first = await get('/v1/blocklist/changes?after=0&limit=10000');
      const again = await get('/v1/blocklist/changes?after=0&limit=10000');
      expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(again.body).toBe(first.body);
      expect(JSON.parse(first.body)).toEqual(head);
      expect((await get(atHead)).json()).toEqual({
        after: head.position,
        position: head.position,
        changes: [],
      });
      h.clock.set('2022-07-30T06:00:00Z');
      await command('/v1/cases/xandr/warnings', {
        letterNumber: 'B-x/2022',
        occurredAt: wib('2022-07-30T13:00'),
      });
      h.clock.set('2022-08-06T06:00:00Z');
      await command('/v1/cases/xandr/blocks', { orderNumber: 'ORD-3', occurredAt: wib('2022-08-06T13:00') });
      await h.project();
      const next = (await get(atHead)).json() as typeof head;
      expect(next.changes.map((c) => [c.domain, c.action])).toEqual([['xandr.com', 'add']]);
      // One position a page, asked twice over: the same pages, and together the whole feed.
      for (let round = 0; round < 2; round++) {
        const lines: string[] = [];
        let after = 0;
        for (;;) {
          const page = (await get(`/v1/blocklist/changes?after=${after}&limit=1`)).json() as typeof head;
          if (page.changes.length === 0) break;
          lines.push(...page.changes.map((c) => `${c.position} ${c.action} ${c.domain}`));
          after = page.position;
        }
        expect(lines).toEqual(
          [...head.changes, ...next.changes].map((c) => `${c.position} ${c.action} ${c.domain}`),
        );
      }
    });

    it('after the list moved on change by change, then every format is what a fresh read of the stored list renders', async () => {
      const stored = await h.runtime.readModels.getBlocklist();
      const list = PublishedBlocklist.of(stored.entries.map((e) => ({ ...e, since: toWib(e.since) })));
      expect(list.size).toBeGreaterThan(1);
      for (const format of BLOCKLIST_FORMATS) {
        const res = await get(`/v1/blocklist?format=${format}`);
        expect(res.headers['x-blocklist-position']).toBe(String(stored.lastChange));
        expect(res.body).toBe(list.bytes(format, stored.lastChange).toString('utf8'));
      }
    });
  },
);
