import { PSE_ID_MAX_LENGTH } from '@sanksi/domain';
import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';

// Issue 11: domains meet the host-name rule at the edge (nothing appended when refused), text fields carry
// no control characters, and one case-id limit holds for opening a case and for every route after it.
type Role = keyof typeof TEST_KEYS;
const auth = (role: Role) => ({ authorization: `Bearer ${TEST_KEYS[role]}` });
const HOSTILE = 'paypal.com\n$INCLUDE /etc/passwd CNAME .';

describe('HTTP API input hardening (SQLite)', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApiHarness({ SANKSI_DEFAULT_POLICY: 'mr5-literal' }, { now: '2022-07-18T02:00:00Z' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const post = (url: string, payload: unknown, role: Role = 'operator') =>
    h.app.inject({ method: 'POST', url, payload: payload as object, headers: auth(role) });
  const get = (url: string, role: Role = 'analyst') =>
    h.app.inject({ method: 'GET', url, headers: auth(role) });
  const open = (pseId: string, domains: string[], extra: Record<string, unknown> = {}) =>
    post('/v1/cases', { pseId, name: 'Sistem', origin: 'foreign', domains, ...extra });
  const storedEvents = async (pseId: string) => (await h.runtime.commands.load(pseId)).version;

  describe('domains', () => {
    it.each([
      [HOSTILE, 'characters outside letters, digits and hyphen'],
      ['com', 'a public suffix alone (com) cannot be blocked'],
      ['co.id', 'a public suffix alone (co.id) cannot be blocked'],
      ['*.paypal.com', 'a wildcard (*)'],
      [`${'a'.repeat(64)}.com`, 'label longer than 63 characters'],
      ['110.110.110.135', 'an IP address'],
    ])(
      'given the domain %j, when a case is opened, then 400 names the field and the rule and nothing is appended',
      async (domain, rule) => {
        const res = await open('hostile', ['paypal.com', domain]);
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json().invalidFields).toEqual([
          { field: 'body.domains.1', message: expect.stringContaining(rule) },
        ]);
        expect(await storedEvents('hostile')).toBe(0);
        expect((await get('/v1/cases/hostile')).statusCode).toBe(404);
      },
    );

    it('given refused domains, when the blocklist is exported, then no format carries them', async () => {
      await h.project();
      for (const format of ['txt', 'hosts', 'rpz', 'csv', 'json']) {
        const body = (await get(`/v1/blocklist?format=${format}`, 'service')).body;
        expect(body).not.toContain('$INCLUDE');
        expect(body).not.toMatch(/^(?:\*\.)?com CNAME/m);
      }
    });

    it('given Unicode and upper case, when a case is opened, then the event stores A-labels', async () => {
      const res = await open('buecher', ['Bücher.DE.', 'Shop.Bücher.de']);
      expect(res.statusCode).toBe(201);
      const [stored] = (await h.runtime.commands.load('buecher')).envelopes;
      expect(stored.type === 'PseIdentified' && stored.data.domains).toEqual([
        'xn--bcher-kva.de',
        'shop.xn--bcher-kva.de',
      ]);
    });

    it('given an open case, when a block names com, then 400 and the case is unchanged', async () => {
      expect((await open('blockme', ['blockme.co.id'])).statusCode).toBe(201);
      const before = await storedEvents('blockme');
      const res = await post('/v1/cases/blockme/blocks', {
        orderNumber: 'B-1',
        domains: ['blockme.co.id', 'com'],
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().invalidFields[0]).toEqual({
        field: 'body.domains.1',
        message: expect.stringContaining('a public suffix alone (com)'),
      });
      expect(await storedEvents('blockme')).toBe(before);
    });
  });

  describe('control characters in text fields', () => {
    it.each([
      ['name', { name: 'PayPal\u001b[2J\u001b[H' }],
      ['company', { company: 'PT X\nInjected: line' }],
      ['sector', { sector: 'IT\u009b31m' }],
    ])(
      'given a control character in %s, when a case is opened, then 400 names the field and nothing is appended',
      async (field, extra) => {
        const res = await open('controls', ['controls.com'], extra);
        expect(res.statusCode).toBe(400);
        expect(res.json().invalidFields).toEqual([
          { field: `body.${field}`, message: expect.stringMatching(/^control character U\+00[0-9A-F]{2}/) },
        ]);
        expect(await storedEvents('controls')).toBe(0);
      },
    );

    it('given a control character in a warning letter number, when issued, then 400', async () => {
      expect((await open('letters', ['letters.com'])).statusCode).toBe(201);
      const res = await post('/v1/cases/letters/warnings', { letterNumber: 'B-1\u0007' });
      expect(res.statusCode).toBe(400);
      expect(res.json().invalidFields[0].field).toBe('body.letterNumber');
    });
  });

  describe(`case ids of ${PSE_ID_MAX_LENGTH} characters`, () => {
    const longest = `p${'x'.repeat(PSE_ID_MAX_LENGTH - 1)}`;
    const tooLong = `${longest}y`;

    it('given one character more than the limit, when a case is opened, then 400 names body.pseId', async () => {
      const res = await open(tooLong, ['toolong.com']);
      expect(res.statusCode).toBe(400);
      expect(res.json().invalidFields).toEqual([
        { field: 'body.pseId', message: expect.stringContaining(`at most ${PSE_ID_MAX_LENGTH}`) },
      ]);
    });

    it('given one character more than the limit on a route, then 400 names path.pseId, not 414', async () => {
      for (const res of [
        await get(`/v1/cases/${tooLong}`),
        await post(`/v1/cases/${tooLong}/warnings`, { letterNumber: 'W-1' }),
      ]) {
        expect(res.statusCode).toBe(400);
        expect(res.json().invalidFields).toEqual([
          { field: 'path.pseId', message: expect.stringContaining(`at most ${PSE_ID_MAX_LENGTH}`) },
        ]);
      }
    });

    it('given the longest ids, when cases are opened and every later route is called, then each answers as for any case', async () => {
      h.clock.set('2022-07-18T02:00:00Z');
      const fined = `f${longest.slice(1)}`;
      const blocked = `b${longest.slice(1)}`;
      for (const [pseId, policy] of [
        [fined, 'pp43-2023'],
        [blocked, 'mr5-literal'],
      ]) {
        const opened = await open(pseId, [`${pseId.slice(0, 1)}.co.id`], { policy });
        expect(opened.statusCode).toBe(201);
        expect(opened.json().pseId).toBe(pseId);
      }
      const at = (local: string) => ({ occurredAt: `${local}:00+07:00` });
      // In orders the two cases can take (fines under pp43-2023, the block ladder under mr5-literal), so
      // each route is heard on its merits.
      const steps: Array<[string, string, unknown]> = [
        [fined, '/warnings', { letterNumber: 'W-1', ...at('2022-07-23T10:00') }],
        [fined, '/fines', { decisionNumber: 'D-1', amountIdr: 1_000_000, ...at('2022-07-31T10:00') }],
        [fined, '/fines/F1/payments', { amountIdr: 1000, reference: 'P-1', ...at('2022-07-31T11:00') }],
        [fined, '/fines/F1/annulment', { reason: 'appeal', ...at('2022-07-31T12:00') }],
        [fined, '/policy-migrations', { to: 'kominfo-2022', reason: 'rules', ...at('2022-07-31T13:00') }],
        [blocked, '/warnings', { letterNumber: 'W-1', ...at('2022-07-23T10:00') }],
        [blocked, '/blocks', { orderNumber: 'B-1', ...at('2022-08-01T10:00') }],
        [blocked, '/normalisation-requests', { reason: 'asks', ...at('2022-08-01T11:00') }],
        [blocked, '/normalisation-requests/refusal', { reason: 'no', ...at('2022-08-01T12:00') }],
        [
          blocked,
          '/temporary-restorations',
          { until: '2022-08-03T00:00:00+07:00', reason: 'window', ...at('2022-08-01T13:00') },
        ],
        [blocked, '/restorations', { reason: 'restored', ...at('2022-08-01T14:00') }],
        [blocked, '/registrations', { channel: 'oss', ...at('2022-08-02T10:00') }],
        [blocked, '/registrations/rejection', { reason: 'incomplete', ...at('2022-08-02T11:00') }],
        [blocked, '/registrations', { channel: 'oss', ...at('2022-08-02T12:00') }],
        [
          blocked,
          '/registrations/confirmation',
          { registrationNumber: '000123.01/DJAI.PSE/08/2022', ...at('2022-08-02T13:00') },
        ],
        [blocked, '/suspensions', { by: 'TAKEL', reason: 'false data', ...at('2022-08-03T10:00') }],
        [blocked, '/suspensions/lifting', { reason: 'answered', ...at('2022-08-03T11:00') }],
        [blocked, '/suspensions', { by: 'PAI', reason: 'false data', ...at('2022-08-03T12:00') }],
        [blocked, '/revocations', { reason: 'no answer', ...at('2022-08-04T12:00') }],
        [blocked, '/exemptions', { reason: 'not obliged', ...at('2022-08-12T11:00') }],
      ];
      h.clock.set('2022-08-13T00:00:00Z');
      for (const [pseId, path, body] of steps) {
        const res = await post(`/v1/cases/${pseId}${path}`, body);
        // A revocation before the response period ends is the domain's refusal of this very case: the
        // route read the id and decided on it (after the period, mr5-literal revokes by itself).
        const expected =
          path === '/revocations'
            ? { path, status: 409, detail: expect.stringContaining(`refused for ${pseId} in suspended`) }
            : { path, status: 201, detail: undefined };
        expect({ path, status: res.statusCode, detail: res.json().detail }).toEqual(expected);
      }
      await h.project();
      for (const pseId of [fined, blocked]) {
        for (const path of ['', '/events', '/timeline', '/state', '/replay', '/evidence']) {
          const res = await get(`/v1/cases/${pseId}${path}`);
          expect({ path, status: res.statusCode }).toEqual({ path, status: 200 });
        }
      }
    });
  });
});
