import fc from 'fast-check';
import { normaliseDomains } from './domain-normaliser';

describe('normaliseDomains', () => {
  it.each([
    ['www.unitedtractors.com', ['unitedtractors.com']],
    ['https://gateway.unitedtractors.com/cst/customer/eInvoice/Validate/', ['gateway.unitedtractors.com']],
    ['Steampowered.com', ['steampowered.com']],
    ['bizs.bankmestika.co.id:1443/login', ['bizs.bankmestika.co.id']],
    ['https://BIZS.Bankmestika.co.id:1443', ['bizs.bankmestika.co.id']],
    ['https://apisandbox.bsm.co.id:7776/gateway/CashOut/1.0', ['apisandbox.bsm.co.id']],
    ['www.sharp.id/estore\u00a0', ['sharp.id']],
    [
      'sepulsa.com, sentinel.alterra.id, elisian.alphabill.id',
      ['sepulsa.com', 'sentinel.alterra.id', 'elisian.alphabill.id'],
    ],
    ['http://www.88bangunan.co.id; http://indo1688.com', ['88bangunan.co.id', 'indo1688.com']],
    ['www.upoint.id dan www.tiketapasaja.com', ['upoint.id', 'tiketapasaja.com']],
    ['https://tanifund.com atau https://tanifund.id', ['tanifund.com', 'tanifund.id']],
    ['http://www.verdhana.id  dan https://www.verdhana.id', ['verdhana.id']],
    ['https;//oreon.id', ['oreon.id']],
    [
      'https:/www.mncsekuritas.id, https://otweb.mncsekuritas.id',
      ['mncsekuritas.id', 'otweb.mncsekuritas.id'],
    ],
    ['https ://wundagi.com://wundagi.com', ['wundagi.com']],
    ['www. foodnesia. Id', ['foodnesia.id']],
    ['www.niagara .my.id', ['niagara.my.id']],
    ['Gredu. Asia', ['gredu.asia']],
    [
      '"https://ariana.pegadaian.co.id/ atau https://jira.pegadaian.co.id/customer "',
      ['ariana.pegadaian.co.id', 'jira.pegadaian.co.id'],
    ],
    ['www.inkuisit.com›', ['inkuisit.com']],
    ['https://jlm.net.id/ ;; https://bnetfit.id/', ['jlm.net.id', 'bnetfit.id']],
    ['bücher.de', ['xn--bcher-kva.de']],
    ['TOKO.ID, toko.id, https://www.toko.id/', ['toko.id']],
  ])('given %p, when normalised, then domains are %p', (raw, expected) => {
    expect(normaliseDomains(raw).domains).toEqual(expected);
  });

  it('given a Play Store URL, when normalised, then it is kept aside as a store listing', () => {
    const raw = 'https://play.google.com/store/apps/details?id=com.renakta.help';
    expect(normaliseDomains(raw)).toEqual({
      domains: [],
      nonDomains: [{ value: raw, reason: 'play-store' }],
    });
  });

  it('given an App Store URL next to a domain, when normalised, then both are kept in their place', () => {
    expect(normaliseDomains('ajaib.co.id; https://apps.apple.com/id/app/ajaib/id1489226483')).toEqual({
      domains: ['ajaib.co.id'],
      nonDomains: [{ value: 'https://apps.apple.com/id/app/ajaib/id1489226483', reason: 'app-store' }],
    });
  });

  it('given IP addresses, when normalised, then they are rejected as ip-address', () => {
    expect(normaliseDomains('110.110.110.135')).toEqual({
      domains: [],
      nonDomains: [{ value: '110.110.110.135', reason: 'ip-address' }],
    });
    expect(normaliseDomains('http://172.19.151.1 (Main Site)').nonDomains).toContainEqual({
      value: 'http://172.19.151.1',
      reason: 'ip-address',
    });
  });

  it.each(['abcd.com', 'localhost', 'test', 'http://www.example.com/x', 'intranet.local'])(
    'given the bogus entry %p, when normalised, then it is rejected as bogus',
    (raw) => {
      const result = normaliseDomains(raw);
      expect(result.domains).toEqual([]);
      expect(result.nonDomains.map((n) => n.reason)).toEqual(['bogus']);
    },
  );

  it.each(['com', 'https://CO.ID/', 'my.id', 'x_y.com', `${'a'.repeat(64)}.com`, 'ab--cd.com'])(
    'given %p, which the host-name rule refuses, when normalised, then it is kept aside, not a domain',
    (raw) => {
      expect(normaliseDomains(raw)).toEqual({
        domains: [],
        nonDomains: [{ value: raw, reason: 'not-a-domain' }],
      });
    },
  );

  it.each(['-', '', '   ', 'sedang dalam pembuatan', 'NA (Private IP)', 'Direct Internet Banking'])(
    'given %p, when normalised, then there is no domain',
    (raw) => {
      expect(normaliseDomains(raw).domains).toEqual([]);
    },
  );

  it('given an e-mail address, when normalised, then it is not taken for a domain', () => {
    expect(normaliseDomains('admin@bprbkklasem.co.id').nonDomains).toEqual([
      { value: 'admin@bprbkklasem.co.id', reason: 'email-address' },
    ]);
  });

  it('given labels around URLs, when normalised, then only the hosts remain', () => {
    expect(
      normaliseDomains('Top-level domain: https://www.kupu.id; Second-level domain: https://employer.kupu.id')
        .domains,
    ).toEqual(['kupu.id', 'employer.kupu.id']);
  });
});

describe('normaliseDomains properties', () => {
  const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
  const domain = fc
    .tuple(
      fc.array(label, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('com', 'id', 'co.id', 'net', 'org'),
    )
    .map(([labels, tld]) => [...labels, tld].join('.'))
    .filter((d) => !d.startsWith('www') && normaliseDomains(d).domains.length === 1);
  const decorate = fc.tuple(
    fc.constantFrom('', 'http://', 'https://', 'HTTPS://www.', 'www.'),
    fc.constantFrom('', '/', '/path?q=1', ':8443', ':443/x'),
  );

  it('given decorated domains joined by any separator, when normalised, then the bare domains come back de-duplicated', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(domain, decorate), { minLength: 1, maxLength: 5 }),
        fc.constantFrom('; ', ', ', ' ', ' dan ', ' ;; '),
        (items, separator) => {
          const raw = items.map(([d, [pre, post]]) => `${pre}${d}${post}`).join(separator);
          expect(normaliseDomains(raw).domains).toEqual([...new Set(items.map(([d]) => d))]);
        },
      ),
    );
  });

  it('given any text, when normalised twice, then the domains are stable', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const once = normaliseDomains(raw).domains;
        expect(normaliseDomains(once.join('; ')).domains).toEqual(once);
      }),
    );
  });
});
