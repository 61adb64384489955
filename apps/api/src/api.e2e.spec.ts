import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { DeadlineScheduler, elapseKey, SCHEDULER_ACTOR, verifyEvidencePack } from '@sanksi/application';
import type { DeadlineKind } from '@sanksi/domain';
import { startApiHarness, TEST_KEYS, type ApiHarness, harnessBackends } from './testing/api-harness';

type Role = keyof typeof TEST_KEYS;
const auth = (role: Role) => ({ authorization: `Bearer ${TEST_KEYS[role]}` });
const wib = (local: string) => `${local}:00+07:00`;

// The same suite runs on the embedded default and on PostgreSQL (a database of its own).
const backends = harnessBackends('sanksi_e2e');

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

  // These stories read the appended events whole from each answer: they ask for them (RFC 7240 Prefer).
  // The default answer, events by reference, has its own spec (cases/command-answer.e2e.spec.ts).
  const post = async (
    url: string,
    payload: unknown,
    role: Role = 'operator',
    headers: Record<string, string> = {},
  ) =>
    h.app.inject({
      method: 'POST',
      url,
      payload: payload as object,
      headers: { ...auth(role), prefer: 'return=representation', ...headers },
    });
  const get = async (url: string, role: Role = 'analyst') =>
    h.app.inject({ method: 'GET', url, headers: auth(role) });
  const at = (instant: string) => h.clock.set(instant);
  /** What the deadline scheduler does for one due deadline of one case (it has its own tests). */
  const elapse = (pseId: string, deadline: DeadlineKind, dueAt: string) => {
    const key = elapseKey({ pseId, kind: deadline, fineId: null, dueAt });
    return h.runtime.commands.execute(
      { type: 'ElapseDeadline', pseId, deadline },
      { actor: SCHEDULER_ACTOR, occurredAt: dueAt, idempotencyKey: key },
    );
  };
  type Envelope = {
    type: string;
    occurredAt: string;
    actor: { id: string };
    commandId: string;
    eventId: string;
    causationId: string | null;
    data: Record<string, unknown>;
    state: { state: string; substate: string | null };
  };
  const eventsOf = async (pseId: string): Promise<Envelope[]> =>
    (await get(`/v1/cases/${pseId}/events`)).json().events;
  const types = (events: Array<{ type: string }>) => events.map((e) => e.type);

  describe('the 2022 story (kominfo-2022)', () => {
    it('given systems that missed 2022-07-20, when warned, then blocked at the due instant whoever brings them up to date, and restored, registered and exempted: every response and read model tells it', async () => {
      at('2022-07-18T02:00:00Z');
      for (const [pseId, name, domains] of [
        ['paypal', 'PayPal', ['paypal.com', 'www.paypal.com']],
        ['steam', 'Steam', ['steampowered.com', 'store.steampowered.com']],
        ['xandr', 'Xandr', ['xandr.com']],
      ] as const) {
        const res = await post('/v1/cases', {
          pseId,
          name,
          origin: 'foreign',
          domains,
          occurredAt: wib('2022-07-18T09:00'),
        });
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
      expect(tooSoon.json()).toMatchObject({
        command: 'BlockAccess',
        state: 'warned',
        reason:
          'kominfo-2022 does not allow BlockAccess from warned; allowed next: IssueWarning; escalation waits until the warning response deadline elapses',
        allowed: [
          'UpdatePseProfile',
          'SubmitRegistration',
          'ConfirmRegistration',
          'IssueWarning',
          'GrantExemption',
          'MigratePolicy',
        ],
      });

      // Business time decides (issue 9): the block order dated 30 July comes after the warning lapsed
      // on 29 July 23:59:59 WIB, when kominfo-2022 blocked automatically — whether the scheduler ran or not.
      at('2022-07-30T00:00:00Z');
      const beforeOrder = await eventsOf('paypal');
      const order = await post('/v1/cases/paypal/blocks', {
        orderNumber: 'ORD-paypal',
        occurredAt: wib('2022-07-30T00:00'),
      });
      expect(order.statusCode).toBe(409);
      expect(order.headers['content-type']).toContain('application/problem+json');
      expect(order.json()).toMatchObject({
        status: 409,
        pseId: 'paypal',
        command: 'BlockAccess',
        state: 'blocked.enforced',
        reason:
          'already blocked (enforced) since 2022-07-29T23:59:59+07:00 by automatic escalation (the warningResponse deadline elapsed)',
      });
      expect(order.json().allowed).toEqual([
        'UpdatePseProfile',
        'SubmitRegistration',
        'ConfirmRegistration',
        'RestoreAccessTemporarily',
        'RestoreAccess',
        'RequestNormalisation',
        'GrantExemption',
        'MigratePolicy',
      ]);
      // a refusal appends nothing, not even the elapse and the block it found due
      expect(await eventsOf('paypal')).toEqual(beforeOrder);
      expect(types(beforeOrder)).toEqual(['PseIdentified', 'WarningIssued']);

      // PayPal's temporary window of 31 July: the same append first records what was due on 29 July
      at('2022-07-31T01:00:00Z');
      const window = await post('/v1/cases/paypal/temporary-restorations', {
        until: wib('2022-08-05T23:59'),
        reason: 'users withdraw their funds',
        occurredAt: wib('2022-07-31T08:00'),
      });
      expect(window.statusCode).toBe(201);
      expect(window.json()).toMatchObject({ version: 5, state: 'blocked', substate: 'temporarilyRestored' });
      const paypal = await eventsOf('paypal');
      expect(paypal.map((e) => [e.type, e.occurredAt, e.actor.id])).toEqual([
        ['PseIdentified', '2022-07-18T09:00:00+07:00', expect.stringMatching(/^operator:/)],
        ['WarningIssued', '2022-07-23T10:00:00+07:00', expect.stringMatching(/^operator:/)],
        ['DeadlineElapsed', '2022-07-29T23:59:59+07:00', 'sanksi-scheduler'],
        ['AccessBlocked', '2022-07-29T23:59:59+07:00', 'sanksi-escalation'],
        ['AccessTemporarilyRestored', '2022-07-31T08:00:00+07:00', expect.stringMatching(/^operator:/)],
      ]);
      expect(paypal[3].causationId).toBe(paypal[2].eventId);
      expect(paypal[3].state).toMatchObject({ state: 'blocked', substate: 'enforced' });
      expect(window.json().events.map((e: Envelope) => e.eventId)).toEqual(
        paypal.slice(2).map((e) => e.eventId),
      );
      // as of 1 August (the end of that day in WIB) PayPal was blocked, its access open for the window
      const asOfAugust = (await get('/v1/cases/paypal/state?asOf=2022-08-01')).json();
      expect(asOfAugust).toMatchObject({
        pseId: 'paypal',
        asOf: '2022-08-01T23:59:59.999+07:00',
        version: 5,
        state: 'blocked',
        substate: 'temporarilyRestored',
      });
      // as known on 30 July nothing was recorded after the warning, yet business time had blocked it
      const asKnown = (await get('/v1/cases/paypal/state?asOf=2022-07-30&knownAt=2022-07-30')).json();
      expect(asKnown).toMatchObject({ version: 2, state: 'blocked', substate: 'enforced' });

      // Nobody acted on Steam and Xandr: the scheduler brings them up to date, to the same due instant
      const scheduler = new DeadlineScheduler(h.runtime);
      expect(await scheduler.tick({ project: true })).toEqual({
        elapsed: 2,
        escalated: 2,
        skipped: 0,
        failed: 0,
      });
      for (const pseId of ['steam', 'xandr']) {
        const events = await eventsOf(pseId);
        expect(events.slice(2).map((e) => [e.type, e.occurredAt, e.actor.id, e.state.substate])).toEqual([
          ['DeadlineElapsed', '2022-07-29T23:59:59+07:00', 'sanksi-scheduler', null],
          ['AccessBlocked', '2022-07-29T23:59:59+07:00', 'sanksi-escalation', 'enforced'],
        ]);
        expect(events[2].commandId).toBe(
          elapseKey({ pseId, kind: 'warningResponse', fineId: null, dueAt: '2022-07-29T23:59:59+07:00' }),
        );
      }
      expect(await scheduler.tick({ project: true })).toEqual({
        elapsed: 0,
        escalated: 0,
        skipped: 0,
        failed: 0,
      });
      await h.project();
      const blocked = (await get('/v1/blocklist?format=json', 'service')).json();
      expect(blocked.entries.map((e: { domain: string; since: string }) => [e.domain, e.since])).toEqual([
        ['steampowered.com', '2022-07-29T23:59:59+07:00'],
        ['store.steampowered.com', '2022-07-29T23:59:59+07:00'],
        ['xandr.com', '2022-07-29T23:59:59+07:00'],
      ]);

      at('2022-07-31T09:00:00Z');
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
      expect(timeline.entries.map((e: { line: string }) => e.line)).toEqual([
        '2022-07-18 09:00 WIB — Identified: foreign PSE "PayPal": paypal.com, www.paypal.com',
        '2022-07-23 10:00 WIB — Written warning issued (letter B-paypal/2022), response due 2022-07-29 23:59 WIB',
        '2022-07-29 23:59 WIB — Deadline elapsed: warning response (due 2022-07-29 23:59 WIB)',
        '2022-07-29 23:59 WIB — Access blocked automatically (order AUTO/paypal/2): paypal.com, www.paypal.com',
        '2022-07-31 08:00 WIB — Access temporarily restored until 2022-08-05 23:59 WIB: users withdraw their funds',
        '2022-08-03 10:00 WIB — Registration confirmed (certificate 006860.01/DJAI.PSE/08/2022)',
        '2022-08-03 10:00 WIB — Access restored (normalised on registration): Registered: normalised automatically',
      ]);
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
      type Change = { pseId: string; domain: string; action: string; at: string; position: number };
      // every domain added at the due instant, taken off by PayPal's window, Xandr's exemption and Steam's
      // submission; PayPal's registration on 3 August changes nothing (its domains were already off)
      expect(changes.changes.map((c: Change) => [c.pseId, c.domain, c.action, c.at])).toEqual([
        ['paypal', 'paypal.com', 'add', '2022-07-29T23:59:59+07:00'],
        ['paypal', 'www.paypal.com', 'add', '2022-07-29T23:59:59+07:00'],
        ['paypal', 'paypal.com', 'remove', '2022-07-31T08:00:00+07:00'],
        ['paypal', 'www.paypal.com', 'remove', '2022-07-31T08:00:00+07:00'],
        ['steam', 'steampowered.com', 'add', '2022-07-29T23:59:59+07:00'],
        ['steam', 'store.steampowered.com', 'add', '2022-07-29T23:59:59+07:00'],
        ['xandr', 'xandr.com', 'add', '2022-07-29T23:59:59+07:00'],
        ['xandr', 'xandr.com', 'remove', '2022-07-31T15:00:00+07:00'],
        ['steam', 'steampowered.com', 'remove', '2022-08-02T12:00:00+07:00'],
        ['steam', 'store.steampowered.com', 'remove', '2022-08-02T12:00:00+07:00'],
      ]);
      const positions = changes.changes.map((c: Change) => c.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
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
      // The pack as served is VALID against the server's key, and only against it.
      const served: unknown = JSON.parse(evidence.body);
      expect(verifyEvidencePack(served, { trustedPublicKey: key.publicKey })).toMatchObject({
        ok: true,
        pseId: 'paypal',
        eventCount: 7,
      });
      expect(verifyEvidencePack(served)).toMatchObject({ ok: false, reason: 'untrusted-key' });
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
      expect(fine.json()).toMatchObject({ state: 'fined', fineId: 'F1' });
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
      expect(unknownFine.statusCode).toBe(409);
      expect(unknownFine.json()).toMatchObject({
        command: 'RecordFinePayment',
        state: 'fined',
        reason: 'no fine F999 on this case (its fines: F1, F2)',
      });
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
      expect(migrate.statusCode).toBe(201);
      expect(migrate.json()).toMatchObject({ state: 'suspended', version: summary.version + 1 });
      expect(migrate.json().events.map((e: { type: string; data: unknown }) => [e.type, e.data])).toEqual([
        ['PolicyMigrated', { from: 'pp43-2023', to: 'kominfo-2022', reason: 'test' }],
      ]);
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
      // a business date must exist: 30 February is not rolled over into March
      const impossible = await get('/v1/cases/paypal/state?asOf=2022-02-30');
      expect(impossible.statusCode).toBe(400);
      expect(impossible.json().invalidFields.map((f: { field: string }) => f.field)).toEqual(['query.asOf']);
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

    it('an Idempotency-Key reused with another body or business time is refused with 422 naming it; with the same one it answers the first outcome', async () => {
      at('2022-10-10T00:00:00Z');
      const opened = await post('/v1/cases', {
        pseId: 'idem',
        name: 'Idem',
        origin: 'domestic',
        domains: ['idem.id'],
        occurredAt: wib('2022-10-10T06:00'),
      });
      expect(opened.statusCode).toBe(201);
      const key = { 'idempotency-key': 'warn-idem-1' };
      const body = { letterNumber: 'B-IDEM/2022', occurredAt: wib('2022-10-10T06:30') };
      const first = await post('/v1/cases/idem/warnings', body, 'operator', key);
      expect(first.statusCode).toBe(201);
      expect(types(first.json().events)).toEqual(['WarningIssued']);
      const history = await eventsOf('idem');
      expect(history).toHaveLength(2);

      for (const other of [
        { ...body, letterNumber: 'B-IDEM-2/2022' },
        { ...body, occurredAt: wib('2022-10-10T06:45') },
      ]) {
        const reused = await post('/v1/cases/idem/warnings', other, 'operator', key);
        expect(reused.statusCode).toBe(422);
        expect(reused.headers['content-type']).toContain('application/problem+json');
        expect(reused.json()).toMatchObject({
          status: 422,
          pseId: 'idem',
          idempotencyKey: 'warn-idem-1',
          command: 'IssueWarning',
        });
      }
      // another command under the same key on the same case is refused too
      const otherCommand = await post('/v1/cases/idem/exemptions', { reason: 'x' }, 'operator', key);
      expect(otherCommand.statusCode).toBe(422);
      expect(otherCommand.json()).toMatchObject({ idempotencyKey: 'warn-idem-1', command: 'GrantExemption' });
      expect(await eventsOf('idem')).toEqual(history);

      const retry = await post('/v1/cases/idem/warnings', body, 'operator', key);
      expect(retry.statusCode).toBe(200);
      expect(retry.headers['idempotent-replay']).toBe('true');
      expect(retry.json()).toEqual(first.json());
      expect(await eventsOf('idem')).toEqual(history);
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
      expect(loser.json()).toMatchObject({ expectedVersion: version, actualVersion: version + 1 });
      const events = (await get('/v1/cases/race/events')).json();
      expect(events.version).toBe(version + (a.statusCode === 201 ? a : b).json().events.length);
      expect(
        (await post('/v1/cases/race/warnings', { letterNumber: 'C' }, 'operator', { 'if-match': 'three' }))
          .statusCode,
      ).toBe(400);
    });
  });

  describe('normalisation requests (MR5 Art. 20, kominfo-2022)', () => {
    const BLOCKED_ALLOWED = [
      'UpdatePseProfile',
      'SubmitRegistration',
      'ConfirmRegistration',
      'RestoreAccessTemporarily',
      'RestoreAccess',
      'RequestNormalisation',
      'GrantExemption',
      'MigratePolicy',
    ];

    beforeAll(async () => {
      // warned on Monday 17 October 2022; the 5 working days lapse on Monday 24 October, the block follows
      at('2022-10-17T03:00:00Z');
      for (const pseId of ['norm', 'norm-lapsed']) {
        const opened = await post('/v1/cases', {
          pseId,
          name: pseId,
          origin: 'domestic',
          domains: [`${pseId}.id`],
          occurredAt: wib('2022-10-17T09:00'),
        });
        expect(opened.statusCode).toBe(201);
        const warned = await post(`/v1/cases/${pseId}/warnings`, {
          letterNumber: `B-${pseId}/2022`,
          occurredAt: wib('2022-10-17T10:00'),
        });
        expect(warned.json().events[0].state.nextDeadline).toEqual({
          kind: 'warningResponse',
          dueAt: '2022-10-24T23:59:59+07:00',
          fineId: null,
        });
      }
      at('2022-10-25T00:00:00Z');
      for (const pseId of ['norm', 'norm-lapsed']) {
        const blocked = await elapse(pseId, 'warningResponse', '2022-10-24T23:59:59+07:00');
        expect(blocked).toMatchObject({ state: 'blocked', substate: 'enforced' });
      }
    });

    it('given a blocked case, when the operator requests normalisation, then 201 and the answer is due 48 hours later; a second request is refused', async () => {
      at('2022-10-26T03:00:00Z');
      const res = await post('/v1/cases/norm/normalisation-requests', {
        reason: 'payments moved to a registered processor',
        occurredAt: wib('2022-10-26T09:00'),
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ pseId: 'norm', version: 5, state: 'blocked', substate: 'enforced' });
      const [requested] = res.json().events;
      expect(res.json().events).toHaveLength(1);
      expect(requested).toMatchObject({
        type: 'NormalisationRequested',
        occurredAt: '2022-10-26T09:00:00+07:00',
        data: {
          reason: 'payments moved to a registered processor',
          answerDeadline: '2022-10-28T09:00:00+07:00',
        },
      });
      expect(requested.state.deadlines).toEqual([
        { kind: 'normalisationRequest', dueAt: '2022-10-28T09:00:00+07:00', fineId: null },
      ]);
      expect(requested.state.escalation).toEqual({ pending: false, allowed: [] });

      const again = await post('/v1/cases/norm/normalisation-requests', {
        reason: 'asking again',
        occurredAt: wib('2022-10-26T09:30'),
      });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({
        command: 'RequestNormalisation',
        state: 'blocked.enforced',
        reason: 'a normalisation request is already pending, to be answered by 2022-10-28T09:00:00+07:00',
      });
      expect((await eventsOf('norm')).length).toBe(5);
    });

    it('given a pending request, when refused, then 201 and the block stands; a refusal with none pending is 409', async () => {
      at('2022-10-27T08:00:00Z');
      const refused = await post('/v1/cases/norm/normalisation-requests/refusal', {
        reason: 'still unregistered',
        occurredAt: wib('2022-10-27T14:00'),
      });
      expect(refused.statusCode).toBe(201);
      expect(refused.json()).toMatchObject({
        pseId: 'norm',
        version: 6,
        state: 'blocked',
        substate: 'enforced',
      });
      expect(refused.json().events).toHaveLength(1);
      expect(refused.json().events[0]).toMatchObject({
        type: 'NormalisationRefused',
        occurredAt: '2022-10-27T14:00:00+07:00',
        data: { reason: 'still unregistered' },
        state: { state: 'blocked', onBlocklist: true, deadlines: [], nextDeadline: null },
      });

      const none = await post('/v1/cases/norm/normalisation-requests/refusal', {
        reason: 'refused twice',
        occurredAt: wib('2022-10-27T14:30'),
      });
      expect(none.statusCode).toBe(409);
      expect(none.headers['content-type']).toContain('application/problem+json');
      expect(none.json()).toMatchObject({
        status: 409,
        pseId: 'norm',
        command: 'RefuseNormalisation',
        state: 'blocked.enforced',
        reason: 'no normalisation request is pending',
        allowed: BLOCKED_ALLOWED,
      });
      expect((await eventsOf('norm')).length).toBe(6);

      await h.project();
      const lines = (await get('/v1/cases/norm/timeline'))
        .json()
        .entries.map((e: { line: string }) => e.line);
      expect(lines.slice(-2)).toEqual([
        '2022-10-26 09:00 WIB — Normalisation requested: payments moved to a registered processor, answer due 2022-10-28 09:00 WIB',
        '2022-10-27 14:00 WIB — Normalisation refused: still unregistered',
      ]);
    });

    it('given a request nobody answers, when its 2 × 24 hours lapse, then the case waits in the escalation queue for a grant or a refusal', async () => {
      at('2022-10-27T08:00:00Z');
      const res = await post('/v1/cases/norm-lapsed/normalisation-requests', {
        reason: 'domains moved',
        occurredAt: wib('2022-10-27T15:00'),
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().events[0].data.answerDeadline).toBe('2022-10-29T15:00:00+07:00');
      at('2022-10-30T00:00:00Z');
      const lapsed = await elapse('norm-lapsed', 'normalisationRequest', '2022-10-29T15:00:00+07:00');
      expect(types(lapsed.events)).toEqual(['DeadlineElapsed']);
      expect(lapsed.events[0].occurredAt).toBe('2022-10-29T15:00:00+07:00');
      expect(lapsed.events[0].state).toMatchObject({
        state: 'blocked',
        substate: 'enforced',
        deadlines: [],
        escalation: { pending: true, allowed: ['RestoreAccess', 'RefuseNormalisation'] },
      });
      await h.project();
      expect((await get('/v1/cases/norm-lapsed')).json()).toMatchObject({
        state: 'blocked',
        escalation: {
          pending: true,
          allowed: ['RestoreAccess', 'RefuseNormalisation'],
          since: '2022-10-29T15:00:00+07:00',
        },
      });
    });

    it('refuses a body without a reason (400) and callers who may not command (403), changing nothing', async () => {
      const before = (await eventsOf('norm-lapsed')).length;
      const noReason = await post('/v1/cases/norm-lapsed/normalisation-requests/refusal', {});
      expect(noReason.statusCode).toBe(400);
      expect(noReason.json().invalidFields.map((f: { field: string }) => f.field)).toEqual(['body.reason']);
      const analyst = await post('/v1/cases/norm-lapsed/normalisation-requests', { reason: 'x' }, 'analyst');
      expect(analyst.statusCode).toBe(403);
      expect((await eventsOf('norm-lapsed')).length).toBe(before);
    });
  });

  describe('statistics', () => {
    it('answers every stats route over the projected cases, and refuses bad parameters', async () => {
      // traffic of two domains with cases and of one nobody has looked at yet
      await h.runtime.readModels.recordTrafficObservations([
        { domain: 'paypal.com', period: '2022-10', visits: 9_000_000, rank: 3 },
        { domain: 'norm-lapsed.id', period: '2022-10', visits: 12_000, rank: 900 },
        { domain: 'unseen-games.example', period: '2022-10', visits: 250_000, rank: 120 },
      ]);
      await h.project();
      const transitions = (await get('/v1/stats/transitions?from=2022-07-01&to=2022-08-31')).json();
      // every block of the 2022 story fell on 29 July, the warnings' due date, not when anyone acted
      expect(transitions.days).toEqual([
        { date: '2022-07-18', fromState: 'none', toState: 'unregistered', count: 3 },
        { date: '2022-07-23', fromState: 'unregistered', toState: 'warned', count: 3 },
        { date: '2022-07-29', fromState: 'warned', toState: 'blocked', count: 3 },
        { date: '2022-07-31', fromState: 'blocked', toState: 'exempted', count: 1 },
        { date: '2022-08-02', fromState: 'blocked', toState: 'registrationPending', count: 1 },
        { date: '2022-08-03', fromState: 'blocked', toState: 'reRegistered', count: 1 },
      ]);
      const fines = (await get('/v1/stats/fines')).json();
      expect(fines.months).toEqual([
        {
          month: '2022-09',
          imposedCount: 2,
          imposedIdr: 60_000_000,
          paidCount: 1,
          paidIdr: 20_000_000,
          annulledCount: 1,
          annulledIdr: 10_000_000,
        },
      ]);
      const w2r = (await get('/v1/stats/warning-to-registration')).json();
      expect(w2r.cases.map((c: { pseId: string }) => c.pseId)).toEqual(
        expect.arrayContaining(['paypal', 'shop']),
      );
      const deadlines = (await get('/v1/stats/deadlines?before=2030-01-01T00:00:00Z')).json();
      // the race above is won by either the warning or the exemption: only a warned case has a deadline
      const raceWarned = (await get('/v1/cases/race')).json().state === 'warned';
      type Due = { pseId: string; kind: string; dueAt: string; fineId: string | null; caseState: string };
      const instant = (t: string | null) => (t === null ? null : new Date(t).toISOString());
      expect(deadlines.deadlines.map((d: Due) => ({ ...d, dueAt: instant(d.dueAt) }))).toEqual([
        {
          pseId: 'idem',
          name: 'Idem',
          kind: 'warningResponse',
          dueAt: '2022-10-17T16:59:59.000Z',
          fineId: null,
          caseState: 'warned',
        },
        ...(raceWarned
          ? [
              {
                pseId: 'race',
                name: 'Race',
                kind: 'warningResponse',
                dueAt: '2022-10-17T16:59:59.000Z',
                fineId: null,
                caseState: 'warned',
              },
            ]
          : []),
        {
          pseId: 'shop',
          name: 'Shop',
          kind: 'suspensionResponse',
          dueAt: '2022-10-17T16:59:59.000Z',
          fineId: null,
          caseState: 'suspended',
        },
      ]);
      expect(deadlines.nextCursor).toBeNull();
      // One row a page: every deadline exactly once, in the same order, then no cursor.
      const paged: Due[] = [];
      let cursor: string | null = null;
      do {
        const page: { deadlines: Due[]; nextCursor: string | null } = (
          await get(
            `/v1/stats/deadlines?before=2030-01-01T00:00:00Z&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          )
        ).json();
        expect(page.deadlines.length).toBeLessThanOrEqual(1);
        paged.push(...page.deadlines);
        cursor = page.nextCursor;
      } while (cursor !== null && paged.length < 10);
      expect(paged).toEqual(deadlines.deadlines);
      const w2rPage = (await get('/v1/stats/warning-to-registration?limit=1')).json();
      expect(w2rPage.cases).toHaveLength(1);
      expect(w2rPage.nextCursor).toEqual(expect.any(String));
      expect([w2rPage.registered, w2rPage.pending]).toEqual([w2r.registered, w2r.pending]);
      const w2rNext = (
        await get(
          `/v1/stats/warning-to-registration?limit=1&cursor=${encodeURIComponent(w2rPage.nextCursor)}`,
        )
      ).json();
      expect(w2rNext.cases[0]).toEqual(w2r.cases[1]);
      expect((await get('/v1/stats/deadlines?limit=501')).statusCode).toBe(400);
      expect((await get('/v1/stats/escalation-queue?cursor=garbage')).json()).toMatchObject({
        status: 400,
        invalidFields: [{ field: 'query.cursor' }],
      });
      const dueByOctober = (await get('/v1/stats/deadlines?before=2022-10-17T23:59:58%2B07:00')).json();
      expect(dueByOctober.deadlines).toEqual([]);
      const queue = (await get('/v1/stats/escalation-queue')).json();
      expect(queue.nextCursor).toBeNull();
      // the lapsed normalisation request waits for an operator, with its domain's traffic
      expect(queue.entries.map((e: { since: string | null }) => ({ ...e, since: instant(e.since) }))).toEqual(
        [
          {
            pseId: 'norm-lapsed',
            name: 'norm-lapsed',
            state: 'blocked',
            substate: 'enforced',
            since: '2022-10-29T08:00:00.000Z',
            allowed: ['RestoreAccess', 'RefuseNormalisation'],
            visits: 12_000,
            rank: 900,
          },
        ],
      );
      const discovery = (await get('/v1/stats/discovery?limit=5')).json();
      // paypal.com has a case (and PayPal is registered): only the unseen domain is a candidate
      expect(discovery).toEqual({
        candidates: [{ domain: 'unseen-games.example', period: '2022-10', visits: 250_000, rank: 120 }],
        openCasesByTraffic: [
          {
            pseId: 'norm-lapsed',
            name: 'norm-lapsed',
            state: 'blocked',
            visits: 12_000,
            rank: 900,
            period: '2022-10',
          },
        ],
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
      expect(metrics.body).toMatch(
        /sanksi_http_requests_total\{method="POST",route="\/v1\/cases",status="201"\} \d+/,
      );
      const schemas = (await get('/v1/schemas/events', 'service')).json();
      expect(Object.keys(schemas.schemas)).toContain('AccessBlocked');
      const docs = await h.app.inject({ method: 'GET', url: '/docs/openapi.json' });
      expect(Object.keys(docs.json().paths)).toEqual(
        expect.arrayContaining([
          '/v1/cases/{pseId}/warnings',
          '/v1/cases/{pseId}/normalisation-requests',
          '/v1/cases/{pseId}/normalisation-requests/refusal',
          '/v1/blocklist',
        ]),
      );
    });
  });

  describe('history entered after the fact, with the scheduler ahead of it', () => {
    it('given a 2022 story entered in 2026, when the scheduler ends a window before a registration dated inside it is entered, then the registration retracts that re-block and both views of the history say so', async () => {
      at('2026-12-01T00:00:00Z');
      const pseId = 'late-story';
      const opened = await post('/v1/cases', {
        pseId,
        name: 'Late Story',
        origin: 'foreign',
        domains: ['late-story.example'],
        occurredAt: wib('2022-07-18T09:00'),
      });
      expect(opened.statusCode).toBe(201);
      await post(`/v1/cases/${pseId}/warnings`, {
        letterNumber: 'W-late',
        occurredAt: wib('2022-07-23T10:00'),
      });
      const restored = await post(`/v1/cases/${pseId}/temporary-restorations`, {
        until: wib('2022-08-05T23:59'),
        reason: 'withdrawals',
        occurredAt: wib('2022-07-31T08:00'),
      });
      expect(restored.statusCode).toBe(201);
      // the scheduler, on today's clock, ends the window of 5 August first
      expect(await elapse(pseId, 'temporaryRestoration', wib('2022-08-05T23:59'))).toMatchObject({
        state: 'blocked',
        substate: 'enforced',
      });
      const reblock = (await eventsOf(pseId)).at(-1);
      // when the registration dated 3 August is entered
      const confirmed = await post(`/v1/cases/${pseId}/registrations/confirmation`, {
        registrationNumber: '006860.01/DJAI.PSE/08/2022',
        occurredAt: wib('2022-08-03T10:00'),
      });
      expect(confirmed.statusCode).toBe(201);
      expect(types(confirmed.json().events)).toEqual([
        'ConsequencesRetracted',
        'RegistrationConfirmed',
        'AccessRestored',
      ]);
      // then the log keeps the retracted re-block and the marker naming it
      const log = (await get(`/v1/cases/${pseId}/events`)).json();
      expect(log.view).toBe('log');
      expect(types(log.events).slice(-4)).toEqual([
        'DeadlineElapsed',
        'ConsequencesRetracted',
        'RegistrationConfirmed',
        'AccessRestored',
      ]);
      expect(log.events.at(-3).data.retracted).toEqual([reblock?.eventId]);
      expect(log.events.at(-3).actor).toEqual({ id: 'sanksi-engine', role: 'system' });
      // and the history as it stands reads as if the story had been entered in time
      const effective = (await get(`/v1/cases/${pseId}/events?view=effective`)).json();
      expect(effective.version).toBe(log.version);
      expect(
        effective.events.map((e: Envelope) => [e.type, e.occurredAt, e.state.state, e.state.substate]),
      ).toEqual([
        ['PseIdentified', wib('2022-07-18T09:00'), 'unregistered', null],
        ['WarningIssued', wib('2022-07-23T10:00'), 'warned', null],
        ['DeadlineElapsed', '2022-07-29T23:59:59+07:00', 'warned', null],
        ['AccessBlocked', '2022-07-29T23:59:59+07:00', 'blocked', 'enforced'],
        ['AccessTemporarilyRestored', wib('2022-07-31T08:00'), 'blocked', 'temporarilyRestored'],
        ['RegistrationConfirmed', wib('2022-08-03T10:00'), 'reRegistered', null],
        ['AccessRestored', wib('2022-08-03T10:00'), 'reRegistered', null],
      ]);
      const bad = await get(`/v1/cases/${pseId}/events?view=stories`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().invalidFields[0].field).toBe('query.view');
    });
  });
});
