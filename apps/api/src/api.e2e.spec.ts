import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { createTemporaryPostgresDatabase } from '@sanksi/testing';
import { startApiHarness, TEST_KEYS, type ApiHarness } from './testing/api-harness';

type Role = keyof typeof TEST_KEYS;
const auth = (role: Role) => ({ authorization: `Bearer ${TEST_KEYS[role]}` });
const wib = (local: string) => `${local}:00+07:00`;

// The same suite runs on the embedded default and on PostgreSQL (a database of its own).
const backends: Array<[string, () => Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>]> = [
  ['SQLite', async () => ({ env: {}, cleanup: async () => undefined })],
  [
    'PostgreSQL',
    async () => {
      const db = await createTemporaryPostgresDatabase('sanksi_e2e');
      return { env: { SANKSI_EVENT_STORE: 'postgres', DATABASE_URL: db.url }, cleanup: () => db.drop() };
    },
  ],
];

describe.each(backends)('HTTP API on %s', (_name, backend) => {
  let h: ApiHarness;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const b = await backend();
    cleanup = b.cleanup;
    h = await startApiHarness(
      { ...b.env, SANKSI_DEFAULT_POLICY: 'kominfo-2022' },
      { now: '2022-07-18T00:00:00Z' },
    );
  });
  afterAll(async () => {
    await h?.close();
    await cleanup?.();
  });

  const post = async (
    url: string,
    payload: unknown,
    role: Role = 'operator',
    headers: Record<string, string> = {},
  ) =>
    h.app.inject({ method: 'POST', url, payload: payload as object, headers: { ...auth(role), ...headers } });
  const get = async (url: string, role: Role = 'analyst') =>
    h.app.inject({ method: 'GET', url, headers: auth(role) });
  const at = (instant: string) => h.clock.set(instant);
  /** What the deadline scheduler does when a deadline is due (it has its own tests). */
  const elapse = (pseId: string, deadline: 'warningResponse', dueAt: string) =>
    h.runtime.commands.execute(
      { type: 'ElapseDeadline', pseId, deadline },
      {
        actor: { id: 'scheduler', role: 'system' },
        occurredAt: dueAt,
        idempotencyKey: `elapse:${pseId}:${dueAt}`,
      },
    );

  describe('the 2022 story (kominfo-2022)', () => {
    it('given systems that missed 2022-07-20, when warned, blocked, restored, registered and exempted, then every response and read model tells it', async () => {
      at('2022-07-18T02:00:00Z');
      for (const [pseId, name, domains] of [
        ['paypal', 'PayPal', ['paypal.com', 'www.paypal.com']],
        ['steam', 'Steam', ['steampowered.com', 'store.steampowered.com']],
        ['xandr', 'Xandr', ['xandr.com']],
      ] as const) {
        const res = await post('/v1/cases', { pseId, name, origin: 'foreign', domains });
        expect(res.statusCode).toBe(201);
        expect(res.json()).toMatchObject({ pseId, version: 1, state: 'unregistered', substate: null });
        // the actor names the key's role and a non-secret id of the key, never the key itself
        expect(res.json().events[0].actor).toEqual({
          id: expect.stringMatching(/^operator:[0-9a-f]{8}$/),
          role: 'operator',
        });
      }
      // rule 1: no sanction before the registration deadline
      const early = await post('/v1/cases/paypal/warnings', { letterNumber: 'B-0/2022' });
      expect(early.statusCode).toBe(409);
      expect(early.json()).toMatchObject({ status: 409, command: 'IssueWarning', state: 'unregistered' });

      at('2022-07-23T03:00:00Z');
      for (const pseId of ['paypal', 'steam', 'xandr']) {
        const res = await post(`/v1/cases/${pseId}/warnings`, {
          letterNumber: `B-${pseId}/2022`,
          occurredAt: wib('2022-07-23T10:00'),
        });
        expect(res.statusCode).toBe(201);
        expect(res.json().state).toBe('warned');
        expect(res.json().events[0].state.nextDeadline).toEqual({
          kind: 'warningResponse',
          dueAt: '2022-07-29T23:59:59+07:00',
          fineId: null,
        });
      }
      // rule 2: blocking while the warning is running is refused and names what is allowed
      const tooSoon = await post('/v1/cases/paypal/blocks', { orderNumber: 'ORD-1' });
      expect(tooSoon.statusCode).toBe(409);
      expect(tooSoon.json().allowed).toEqual(expect.any(Array));

      at('2022-07-30T00:00:00Z');
      for (const pseId of ['paypal', 'steam', 'xandr'])
        await elapse(pseId, 'warningResponse', '2022-07-29T23:59:59+07:00');
      for (const pseId of ['paypal', 'steam', 'xandr']) {
        const res = await post(`/v1/cases/${pseId}/blocks`, {
          orderNumber: `ORD-${pseId}`,
          occurredAt: wib('2022-07-30T06:00'),
        });
        expect(res.statusCode).toBe(201);
        expect(res.json()).toMatchObject({ state: 'blocked', substate: 'enforced' });
      }
      await h.project();
      const blocked = (await get('/v1/blocklist?format=json', 'service')).json();
      expect(blocked.entries.find((e: { domain: string }) => e.domain === 'paypal.com').since).toBe(
        '2022-07-30T06:00:00+07:00',
      );
      expect(blocked.entries.map((e: { domain: string }) => e.domain).sort()).toEqual(
        ['paypal.com', 'steampowered.com', 'store.steampowered.com', 'www.paypal.com', 'xandr.com'].sort(),
      );

      at('2022-07-31T09:00:00Z');
      const window = await post('/v1/cases/paypal/temporary-restorations', {
        until: wib('2022-08-05T23:59'),
        reason: 'users withdraw their funds',
        occurredAt: wib('2022-07-31T08:00'),
      });
      expect(window.statusCode).toBe(201);
      expect(window.json()).toMatchObject({ state: 'blocked', substate: 'temporarilyRestored' });
      const exempt = await post('/v1/cases/xandr/exemptions', {
        reason: 'not obliged to register',
        occurredAt: wib('2022-07-31T15:00'),
      });
      expect(exempt.json()).toMatchObject({ state: 'exempted' });
      expect(exempt.json().events.map((e: { type: string }) => e.type)).toEqual([
        'ExemptionGranted',
        'AccessRestored',
      ]);

      at('2022-08-02T06:00:00Z');
      const submitted = await post('/v1/cases/steam/registrations', {
        channel: 'oss',
        occurredAt: wib('2022-08-02T12:00'),
      });
      expect(submitted.json().events.map((e: { type: string }) => e.type)).toEqual([
        'RegistrationSubmitted',
        'AccessRestored',
      ]);

      at('2022-08-03T04:00:00Z');
      const confirmed = await post('/v1/cases/paypal/registrations/confirmation', {
        registrationNumber: '006860.01/DJAI.PSE/08/2022',
        occurredAt: wib('2022-08-03T10:00'),
      });
      expect(confirmed.statusCode).toBe(201);
      expect(confirmed.json()).toMatchObject({ state: 'reRegistered', substate: null });
      expect(confirmed.json().events.map((e: { type: string }) => e.type)).toEqual([
        'RegistrationConfirmed',
        'AccessRestored',
      ]);

      await h.project();
      const summary = (await get('/v1/cases/paypal')).json();
      expect(summary).toMatchObject({
        pseId: 'paypal',
        name: 'PayPal',
        origin: 'foreign',
        domains: ['paypal.com', 'www.paypal.com'],
        state: 'reRegistered',
        substate: null,
        registrationNumber: '006860.01/DJAI.PSE/08/2022',
        warnings: 1,
        nextDeadline: null,
        version: 7,
        policy: 'kominfo-2022',
      });
      expect(summary.since).toBe('2022-08-03T10:00:00+07:00');
      const paypalEntry = (await get('/v1/registry?q=paypal')).json().items[0];
      expect(paypalEntry.registeredAt).toBe('2022-08-03T10:00:00+07:00');
      expect(summary.fines).toMatchObject({ imposedIdr: 0, paidIdr: 0, outstandingIdr: 0 });
      const list = (await get('/v1/blocklist?format=txt', 'service')).body;
      expect(list).toBe('');
      const timeline = (await get('/v1/cases/paypal/timeline')).json();
      expect(timeline.entries).toHaveLength(7);
      const counts = (await get('/v1/stats/states?asOf=2022-07-30')).json();
      expect(counts.counts).toMatchObject({ blocked: 3, warned: 0, unregistered: 0 });
      const countsNow = (await get('/v1/stats/states?asOf=2022-08-03')).json();
      expect(countsNow.counts).toMatchObject({
        blocked: 0,
        reRegistered: 1,
        registrationPending: 1,
        exempted: 1,
      });
      const registry = (await get('/v1/registry?q=paypal')).json();
      expect(registry.items.map((r: { registrationNumber: string }) => r.registrationNumber)).toEqual([
        '006860.01/DJAI.PSE/08/2022',
      ]);
      const changes = (await get('/v1/blocklist/changes?after=0', 'service')).json();
      expect(
        changes.changes
          .filter((c: { domain: string }) => c.domain === 'paypal.com')
          .map((c: { action: string }) => c.action),
      ).toEqual(
        ['add', 'remove', 'remove'].slice(
          0,
          changes.changes.filter((c: { domain: string }) => c.domain === 'paypal.com').length,
        ),
      );
      // as-of: on 2022-07-30 PayPal was blocked, and the August view as known then is unchanged
      const asOf = (await get('/v1/cases/paypal/state?asOf=2022-07-30T12:00:00%2B07:00')).json();
      expect(asOf).toMatchObject({ pseId: 'paypal', state: 'blocked', substate: 'enforced' });
      const replay = (await get('/v1/cases/paypal/replay')).json();
      expect(replay.steps).toHaveLength(7);
      const evidence = await get('/v1/cases/paypal/evidence');
      expect(evidence.headers['content-disposition']).toContain('evidence-paypal.json');
      expect(evidence.json()).toMatchObject({ format: 'sanksi-evidence/v1', eventCount: 7 });
      const key = (await h.app.inject({ method: 'GET', url: '/v1/evidence/public-key' })).json();
      expect(key).toEqual({ algorithm: 'Ed25519', publicKey: evidence.json().signature.publicKey });
    });
  });

  describe('every command route (pp43-2023)', () => {
    it('warn → fine → pay / annul → block → temporary window → restore → submit → reject → confirm → suspend → lift → suspend → revoke', async () => {
      at('2022-09-01T02:00:00Z');
      const open = await post('/v1/cases', {
        pseId: 'shop',
        name: 'Shop',
        origin: 'domestic',
        domains: ['shop.id'],
        policy: 'pp43-2023',
        company: 'PT Shop',
      });
      expect(open.statusCode).toBe(201);
      expect((await post('/v1/cases/shop/warnings', { letterNumber: 'W-1' })).statusCode).toBe(201);
      // pp43-2023 does not skip the fine
      const skip = await post('/v1/cases/shop/blocks', { orderNumber: 'O-1' });
      expect(skip.statusCode).toBe(409);
      at('2022-09-09T00:00:00Z');
      await elapse('shop', 'warningResponse', '2022-09-08T23:59:59+07:00');
      const fine = await post('/v1/cases/shop/fines', { decisionNumber: 'D-1', amountIdr: 50_000_000 });
      expect(fine.statusCode).toBe(201);
      expect(fine.json()).toMatchObject({ state: 'fined', fineId: expect.any(String) });
      const fineId = fine.json().fineId as string;
      const overpay = await post(`/v1/cases/shop/fines/${fineId}/payments`, {
        amountIdr: 60_000_000,
        reference: 'TRX-0',
      });
      expect(overpay.statusCode).toBe(409);
      const pay = await post(`/v1/cases/shop/fines/${fineId}/payments`, {
        amountIdr: 20_000_000,
        reference: 'TRX-1',
      });
      expect(pay.statusCode).toBe(201);
      const fine2 = await post('/v1/cases/shop/fines', { decisionNumber: 'D-2', amountIdr: 10_000_000 });
      expect(fine2.statusCode).toBe(201);
      const annul = await post(`/v1/cases/shop/fines/${fine2.json().fineId}/annulment`, {
        reason: 'appeal granted',
      });
      expect(annul.statusCode).toBe(201);
      const unknownFine = await post('/v1/cases/shop/fines/F999/payments', { amountIdr: 1, reference: 'x' });
      expect(unknownFine.statusCode).toBeGreaterThanOrEqual(400);
      expect(unknownFine.statusCode).toBeLessThan(500);
      at('2022-10-10T00:00:00Z');
      const due = (await get('/v1/cases/shop/events')).json().events.at(-1).state.nextDeadline;
      expect(due).toMatchObject({ kind: 'finePayment', fineId });
      await h.runtime.commands.execute(
        { type: 'ElapseDeadline', pseId: 'shop', deadline: 'finePayment', fineId },
        { actor: { id: 'scheduler', role: 'system' }, occurredAt: due.dueAt },
      );
      const block = await post('/v1/cases/shop/blocks', { orderNumber: 'O-2' });
      expect(block.json()).toMatchObject({ state: 'blocked', substate: 'enforced' });
      const tmp = await post('/v1/cases/shop/temporary-restorations', {
        until: '2022-10-15T23:59:00+07:00',
        reason: 'refunds',
      });
      expect(tmp.json()).toMatchObject({ substate: 'temporarilyRestored' });
      const restore = await post('/v1/cases/shop/restorations', { reason: 'ministry decision' });
      expect(restore.statusCode).toBe(201);
      const submit = await post('/v1/cases/shop/registrations', { channel: 'manual' });
      expect(submit.json()).toMatchObject({ state: 'registrationPending' });
      const reject = await post('/v1/cases/shop/registrations/rejection', { reason: 'incomplete form' });
      expect(reject.statusCode).toBe(201);
      await post('/v1/cases/shop/registrations', { channel: 'oss' });
      const confirm = await post('/v1/cases/shop/registrations/confirmation', {
        registrationNumber: '001234.01/DJAI.PSE/09/2022',
      });
      expect(confirm.json()).toMatchObject({ state: 'reRegistered' });
      const suspend = await post('/v1/cases/shop/suspensions', { by: 'TAKEL', reason: 'false company data' });
      expect(suspend.json()).toMatchObject({ state: 'suspended' });
      const lift = await post('/v1/cases/shop/suspensions/lifting', { reason: 'data corrected' });
      expect(lift.statusCode).toBe(201);
      await post('/v1/cases/shop/suspensions', { by: 'PAI', reason: 'unreported change' });
      const revokeTooEarly = await post('/v1/cases/shop/revocations', { reason: 'no answer' });
      expect(revokeTooEarly.statusCode).toBe(409);
      await h.project();
      const summary = (await get('/v1/cases/shop')).json();
      expect(summary.fines).toMatchObject({
        imposedIdr: 60_000_000,
        paidIdr: 20_000_000,
        outstandingIdr: 30_000_000,
      });
      const migrate = await post('/v1/cases/shop/policy-migrations', { to: 'kominfo-2022', reason: 'test' });
      expect([201, 409]).toContain(migrate.statusCode);
    });
  });

  describe('refusals and bad input change nothing', () => {
    it('404 for an unknown case, on commands and queries', async () => {
      expect((await post('/v1/cases/nobody/warnings', { letterNumber: 'x' })).statusCode).toBe(404);
      expect((await get('/v1/cases/nobody')).statusCode).toBe(404);
      expect((await get('/v1/cases/nobody/events')).statusCode).toBe(404);
    });

    it.each([
      [
        'wrong type',
        '/v1/cases/paypal/fines',
        { decisionNumber: 'x', amountIdr: '1000' },
        ['body.amountIdr'],
      ],
      [
        'fraction of a rupiah',
        '/v1/cases/paypal/fines',
        { decisionNumber: 'x', amountIdr: 1.5 },
        ['body.amountIdr'],
      ],
      ['unknown field', '/v1/cases/paypal/warnings', { letterNumber: 'x', severity: 'high' }, ['body']],
      ['missing field', '/v1/cases/paypal/warnings', {}, ['body.letterNumber']],
      [
        'bad date',
        '/v1/cases/paypal/warnings',
        { letterNumber: 'x', occurredAt: '30/07/2022' },
        ['body.occurredAt'],
      ],
      [
        'date without offset',
        '/v1/cases/paypal/warnings',
        { letterNumber: 'x', occurredAt: '2022-07-30T10:00:00' },
        ['body.occurredAt'],
      ],
      [
        'bad certificate',
        '/v1/cases/paypal/registrations/confirmation',
        { registrationNumber: '123' },
        ['body.registrationNumber'],
      ],
      ['bad channel', '/v1/cases/paypal/registrations', { channel: 'fax' }, ['body.channel']],
      ['bad origin', '/v1/cases', { name: 'x', origin: 'mars', domains: ['x.id'] }, ['body.origin']],
    ])('400 for %s, naming the field', async (_label, url, body, fields) => {
      const before = (await get('/v1/cases/paypal/events')).json().version;
      const res = await post(url, body);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().invalidFields.map((f: { field: string }) => f.field)).toEqual(fields);
      expect((await get('/v1/cases/paypal/events')).json().version).toBe(before);
    });

    it('400 for malformed JSON and for a bad path id; 413 for a huge body', async () => {
      const bad = await h.app.inject({
        method: 'POST',
        url: '/v1/cases/paypal/warnings',
        headers: { ...auth('operator'), 'content-type': 'application/json' },
        payload: '{"letterNumber":',
      });
      expect(bad.statusCode).toBe(400);
      expect(
        (await post('/v1/cases/bad%20id/warnings', { letterNumber: 'x' })).json().invalidFields[0].field,
      ).toBe('path.pseId');
      const huge = await post('/v1/cases/paypal/warnings', { letterNumber: 'x'.repeat(200_000) });
      expect(huge.statusCode).toBe(413);
      expect(huge.headers['content-type']).toContain('application/problem+json');
    });

    it('400 for bad query parameters', async () => {
      expect((await get('/v1/cases?state=sleeping')).statusCode).toBe(400);
      expect((await get('/v1/cases/paypal/state?asOf=yesterday')).statusCode).toBe(400);
      expect((await get('/v1/blocklist?format=pdf', 'service')).json().invalidFields[0].field).toBe(
        'query.format',
      );
      const badCursor = await get('/v1/cases?cursor=not-a-cursor');
      expect(badCursor.statusCode).toBe(400);
      expect(badCursor.json().invalidFields[0].field).toBe('query.cursor');
    });
  });

  describe('roles', () => {
    it.each([
      ['POST', '/v1/cases/paypal/warnings', ['operator', 'admin'], ['analyst', 'service']],
      ['GET', '/v1/cases', ['analyst', 'operator', 'admin'], ['service']],
      ['GET', '/v1/blocklist', ['service', 'analyst', 'operator', 'admin'], []],
      ['GET', '/v1/events', ['service', 'analyst'], []],
    ] as const)(
      '%s %s: allowed %j, forbidden %j, 401 without or with an unknown key',
      async (method, url, allowed, forbidden) => {
        for (const role of forbidden) {
          const res = await h.app.inject({
            method,
            url,
            headers: auth(role),
            payload: method === 'POST' ? {} : undefined,
          });
          expect(res.statusCode).toBe(403);
        }
        for (const role of allowed) {
          const res = await h.app.inject({
            method,
            url,
            headers: auth(role),
            payload: method === 'POST' ? {} : undefined,
          });
          expect([200, 400]).toContain(res.statusCode);
        }
        expect((await h.app.inject({ method, url })).statusCode).toBe(401);
        expect(
          (await h.app.inject({ method, url, headers: { authorization: 'Bearer nope-nope-nope-nope' } }))
            .statusCode,
        ).toBe(401);
      },
    );
  });

  describe('retries and races', () => {
    it('an Idempotency-Key makes a command safe to retry, also a new case without pseId', async () => {
      const key = { 'idempotency-key': 'open-once-1' };
      const body = { name: 'Retry Co', origin: 'domestic', domains: ['retry.co.id'] };
      const first = await post('/v1/cases', body, 'operator', key);
      const second = await post('/v1/cases', body, 'operator', key);
      expect(first.statusCode).toBe(201);
      expect(second.statusCode).toBe(200);
      expect(second.headers['idempotent-replay']).toBe('true');
      expect(second.json().pseId).toBe(first.json().pseId);
      expect(second.json().events.map((e: { eventId: string }) => e.eventId)).toEqual(
        first.json().events.map((e: { eventId: string }) => e.eventId),
      );
      expect((await get(`/v1/cases/${first.json().pseId}/events`)).json().version).toBe(1);
    });

    it('two operators racing with If-Match: one wins, the other gets 412 and nothing is lost', async () => {
      const opened = await post('/v1/cases', {
        pseId: 'race',
        name: 'Race',
        origin: 'domestic',
        domains: ['race.id'],
      });
      const version = opened.json().version as number;
      const [a, b] = await Promise.all([
        post('/v1/cases/race/warnings', { letterNumber: 'A' }, 'operator', { 'if-match': `"${version}"` }),
        post('/v1/cases/race/exemptions', { reason: 'B' }, 'operator', { 'if-match': `"${version}"` }),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([201, 412]);
      const loser = a.statusCode === 412 ? a : b;
      expect(loser.json()).toMatchObject({ expectedVersion: version, actualVersion: expect.any(Number) });
      const events = (await get('/v1/cases/race/events')).json();
      expect(events.version).toBe(version + (a.statusCode === 201 ? a : b).json().events.length);
      expect(
        (await post('/v1/cases/race/warnings', { letterNumber: 'C' }, 'operator', { 'if-match': 'three' }))
          .statusCode,
      ).toBe(400);
    });
  });

  describe('statistics', () => {
    it('answers every stats route over the projected cases, and refuses bad parameters', async () => {
      await h.project();
      const transitions = (await get('/v1/stats/transitions?from=2022-07-01&to=2022-08-31')).json();
      expect(transitions.days).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ date: '2022-07-30', toState: 'blocked', count: 3 }),
        ]),
      );
      const fines = (await get('/v1/stats/fines')).json();
      expect(fines.months).toEqual(
        expect.arrayContaining([expect.objectContaining({ month: '2022-09', imposedIdr: 60_000_000 })]),
      );
      const w2r = (await get('/v1/stats/warning-to-registration')).json();
      expect(w2r.cases.map((c: { pseId: string }) => c.pseId)).toEqual(
        expect.arrayContaining(['paypal', 'shop']),
      );
      const deadlines = (await get('/v1/stats/deadlines?before=2030-01-01T00:00:00Z')).json();
      expect(deadlines.deadlines).toEqual(expect.any(Array));
      const queue = (await get('/v1/stats/escalation-queue')).json();
      expect(queue.entries).toEqual(expect.any(Array));
      const discovery = (await get('/v1/stats/discovery?limit=5')).json();
      expect(discovery).toMatchObject({
        candidates: expect.any(Array),
        openCasesByTraffic: expect.any(Array),
      });
      expect((await get('/v1/stats/transitions?from=2022-08-31&to=2022-07-01')).statusCode).toBe(400);
      expect((await get('/v1/stats/deadlines?before=tomorrow')).statusCode).toBe(400);
      expect((await get('/v1/stats/discovery?limit=0')).statusCode).toBe(400);
      expect((await get('/v1/stats/states?asOf=2022-13-01')).statusCode).toBe(400);
    });
  });

  describe('feeds and operations', () => {
    it('projections rebuilt from zero equal the incremental ones', async () => {
      await h.project();
      const snapshot = async () => ({
        cases: (await get('/v1/cases?limit=500')).json(),
        blocklist: (await get('/v1/blocklist', 'service')).json(),
        fines: (await get('/v1/stats/fines')).json(),
        states: (await get('/v1/stats/states?asOf=2022-09-30')).json(),
      });
      const before = await snapshot();
      await h.runtime.projector.rebuild();
      expect(await snapshot()).toEqual(before);
    });

    it('serves the blocklist in every format and the event feed by position', async () => {
      for (const format of ['txt', 'hosts', 'rpz', 'csv', 'json']) {
        const res = await get(`/v1/blocklist?format=${format}`, 'service');
        expect(res.statusCode).toBe(200);
      }
      const page = (await get('/v1/events?after=0&limit=3', 'service')).json();
      expect(page.events).toHaveLength(3);
      const next = (await get(`/v1/events?after=${page.position}&limit=3`, 'service')).json();
      expect(next.events[0].position).toBeGreaterThan(page.position);
    });

    it('streams events as SSE from a position', async () => {
      await h.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = h.app.getHttpServer().address() as AddressInfo;
      const received = await new Promise<string>((resolve, reject) => {
        const req = http.get(
          { host: '127.0.0.1', port, path: '/v1/events/stream?after=0', headers: auth('service') },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => {
              text += chunk.toString();
              if ((text.match(/^id: /gm) ?? []).length >= 3) {
                req.destroy();
                resolve(text);
              }
            });
          },
        );
        req.on('error', (e) =>
          e.message.includes('aborted') || e.message.includes('socket hang up') ? undefined : reject(e),
        );
      });
      expect(received).toContain('event: PseIdentified');
      expect(received).toMatch(/^data: \{"eventId"/m);
    });

    it('health, readiness, metrics, schemas', async () => {
      expect((await h.app.inject({ method: 'GET', url: '/health/live' })).json()).toEqual({ status: 'ok' });
      expect((await h.app.inject({ method: 'GET', url: '/health/ready' })).json()).toMatchObject({
        status: 'ready',
      });
      const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toContain('sanksi_event_store_head_position');
      expect(metrics.body).toMatch(/sanksi_http_requests_total\{method="POST",status="201"\} \d+/);
      const schemas = (await get('/v1/schemas/events', 'service')).json();
      expect(Object.keys(schemas.schemas)).toContain('AccessBlocked');
      const docs = await h.app.inject({ method: 'GET', url: '/docs/openapi.json' });
      expect(Object.keys(docs.json().paths)).toEqual(
        expect.arrayContaining(['/v1/cases/{pseId}/warnings', '/v1/blocklist']),
      );
    });
  });
});
