import { BLOCKLIST_FORMATS } from './blocklist-formats';
import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';

const operator = { authorization: `Bearer ${TEST_KEYS.operator}`, 'content-type': 'application/json' };
const service = { authorization: `Bearer ${TEST_KEYS.service}` };
const analyst = { authorization: `Bearer ${TEST_KEYS.analyst}` };
const wib = (local: string) => `${local}:00+07:00`;
const since = '2022-07-30T10:00:00+07:00';

// Issue 14 A (docs/decisions/0007): a mobile-banking system with app ids and public IPs and no domain
// is blocked like any other; the blocklist carries its IPs in every format that can, and says so in
// those that cannot.
describe('the blocklist of a case blocked by IP address, in every format', () => {
  let h: ApiHarness;
  const command = async (url: string, payload: object) => {
    const res = await h.app.inject({ method: 'POST', url, payload, headers: operator });
    // The refusal's problem document, when there is one, says why.
    expect({ url, status: res.statusCode < 300 ? 'ok' : res.body }).toEqual({ url, status: 'ok' });
  };
  const get = (url: string, headers: Record<string, string> = service) =>
    h.app.inject({ method: 'GET', url, headers });
  const body = async (format: string) => {
    const res = await get(`/v1/blocklist?format=${format}`);
    expect(res.statusCode).toBe(200);
    return res.body;
  };

  // Given, under the literal MR5 policy (direct block allowed): Bank Mobile (app ids and two IPs, no
  // domain) and Shop (a domain and an IP) blocked on 30 July 2022; Wallet (an app id and an IP) registered.
  beforeAll(async () => {
    h = await startApiHarness({}, { now: '2022-07-18T02:00:00Z' });
    await command('/v1/cases', {
      pseId: 'bank-app',
      name: 'Bank Mobile',
      origin: 'domestic',
      domains: [],
      appIds: ['com.bank.mobile', 'id1489226483'],
      ipAddresses: ['13.227.254.72', '2606:4700:4700:0:0:0:0:1111'],
      policy: 'mr5-literal',
    });
    await command('/v1/cases', {
      pseId: 'shop',
      name: 'Shop',
      origin: 'foreign',
      domains: ['shop.com'],
      ipAddresses: ['8.8.4.4'],
      policy: 'mr5-literal',
    });
    await command('/v1/cases', {
      pseId: 'wallet',
      name: 'Wallet',
      origin: 'domestic',
      domains: [],
      appIds: ['com.wallet.app'],
      ipAddresses: ['1.1.1.1'],
    });
    await command('/v1/cases/wallet/registrations/confirmation', {
      registrationNumber: '000001.01/DJAI.PSE/07/2022',
      occurredAt: wib('2022-07-18T09:00'),
    });
    h.clock.set('2022-07-30T03:30:00Z');
    for (const [pseId, order] of [
      ['bank-app', 'ORD-1'],
      ['shop', 'ORD-2'],
    ])
      await command(`/v1/cases/${pseId}/blocks`, { orderNumber: order, occurredAt: wib('2022-07-30T10:00') });
    await h.project();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('when the JSON list is asked, then IP entries name ip (canonical) and never domain, after the domains, IPv4 first, by value', async () => {
    const list = JSON.parse(await body('json')) as { entries: unknown[] };
    expect(list.entries).toEqual([
      { domain: 'shop.com', pseId: 'shop', since },
      { ip: '8.8.4.4', pseId: 'shop', since },
      { ip: '13.227.254.72', pseId: 'bank-app', since },
      { ip: '2606:4700:4700::1111', pseId: 'bank-app', since },
    ]);
  });

  it('when RPZ is asked, then each IP is an rpz-ip trigger beside the name triggers', async () => {
    const rpz = (await body('rpz')).split('\n');
    expect(rpz.slice(3)).toEqual([
      'shop.com CNAME .',
      '*.shop.com CNAME .',
      '32.4.4.8.8.rpz-ip CNAME .',
      '32.72.254.227.13.rpz-ip CNAME .',
      '128.1111.zz.4700.4700.2606.rpz-ip CNAME .',
      '',
    ]);
  });

  it('when txt or hosts is asked, then a comment line says the 3 IP addresses are left out', async () => {
    const note =
      '# 3 blocked IP addresses left out: this format carries host names only (rpz, csv and json carry them)\n';
    expect(await body('txt')).toBe(`${note}shop.com\n`);
    expect((await body('hosts')).split('\n').slice(1).join('\n')).toBe(`${note}0.0.0.0 shop.com\n`);
  });

  it('when CSV is asked, then IP rows carry the ip column', async () => {
    expect((await body('csv')).split('\n')).toEqual([
      'domain,pseId,since,ip',
      `shop.com,shop,${since},`,
      `,shop,${since},8.8.4.4`,
      `,bank-app,${since},13.227.254.72`,
      `,bank-app,${since},2606:4700:4700::1111`,
      '',
    ]);
  });

  it('when every format is asked, then none carries the registered case’s IP', async () => {
    for (const format of BLOCKLIST_FORMATS) expect(await body(format)).not.toContain('1.1.1.1');
  });

  it('when the change feed is read, then IP lines name ip, domain lines domain', async () => {
    const feed = (await get('/v1/blocklist/changes?after=0')).json() as {
      changes: Array<Record<string, unknown>>;
    };
    expect(feed.changes.map(({ position: _p, ...line }) => line)).toEqual([
      { ip: '13.227.254.72', pseId: 'bank-app', action: 'add', at: since },
      { ip: '2606:4700:4700::1111', pseId: 'bank-app', action: 'add', at: since },
      // Within one position, lines come in address order whatever their kind.
      { ip: '8.8.4.4', pseId: 'shop', action: 'add', at: since },
      { domain: 'shop.com', pseId: 'shop', action: 'add', at: since },
    ]);
  });

  it('when cases are searched by app id or IP, then the case naming it is found', async () => {
    const ids = async (q: string) =>
      (
        (await get(`/v1/cases?q=${encodeURIComponent(q)}`, analyst)).json() as {
          items: Array<{ pseId: string }>;
        }
      ).items.map((c) => c.pseId);
    expect(await ids('com.bank.mobile')).toEqual(['bank-app']);
    expect(await ids('2606:4700')).toEqual(['bank-app']);
    expect(await ids('8.8.4.4')).toEqual(['shop']);
    expect(await ids('com.wallet')).toEqual(['wallet']);
  });

  it('when the register is searched by app id or IP, then the registered system is found and no other', async () => {
    const ids = async (q: string) =>
      (
        (await get(`/v1/registry?q=${encodeURIComponent(q)}`, analyst)).json() as {
          items: Array<{ pseId: string }>;
        }
      ).items.map((r) => r.pseId);
    expect(await ids('com.wallet.app')).toEqual(['wallet']);
    expect(await ids('1.1.1.1')).toEqual(['wallet']);
    expect(await ids('com.bank.mobile')).toEqual([]);
  });

  it('when a case is opened with no domain and neither app id nor IP, then 400 names domains and nothing is recorded', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/cases',
      payload: { pseId: 'nothing', name: 'Nothing', origin: 'domestic', domains: [] },
      headers: operator,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      invalidFields: [
        {
          field: 'body.domains',
          message: 'a case with no domain must name at least one app id or public IP address',
        },
      ],
    });
    expect((await get('/v1/cases/nothing', analyst)).statusCode).toBe(404);
  });

  it('when the IP-only case registers, then its IPs leave every format and the feed says remove', async () => {
    const before = ((await get('/v1/blocklist/changes?after=0')).json() as { position: number }).position;
    h.clock.set('2022-07-31T03:00:00Z');
    await command('/v1/cases/bank-app/registrations/confirmation', {
      registrationNumber: '000002.01/DJAI.PSE/08/2022',
      occurredAt: wib('2022-07-31T09:00'),
    });
    await h.project();
    for (const format of BLOCKLIST_FORMATS) expect(await body(format)).not.toContain('13.227.254.72');
    expect(await body('txt')).toBe(
      '# 1 blocked IP address left out: this format carries host names only (rpz, csv and json carry them)\nshop.com\n',
    );
    const feed = (await get(`/v1/blocklist/changes?after=${before}`)).json() as {
      changes: Array<Record<string, unknown>>;
    };
    expect(feed.changes.map((c) => [c['action'], c['ip']])).toEqual([
      ['remove', '13.227.254.72'],
      ['remove', '2606:4700:4700::1111'],
    ]);
  });
});
