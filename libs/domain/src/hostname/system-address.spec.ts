import fc from 'fast-check';
import {
  AppStoreId,
  matchingKeyOf,
  matchingKeyOfPlainName,
  normaliseHostnameForMatching,
  normaliseSystemAddress,
  PublicIpAddress,
} from './system-address';

describe('normaliseSystemAddress', () => {
  it.each([
    ['www.unitedtractors.com', ['unitedtractors.com']],
    ['https://gateway.unitedtractors.com/cst/customer/eInvoice/Validate/', ['gateway.unitedtractors.com']],
    ['Steampowered.com', ['steampowered.com']],
    ['paypal.com.', ['paypal.com']],
    ['paypal.com.; store.steampowered.com.', ['paypal.com', 'store.steampowered.com']],
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
    ['ttp://gamespic.uloveplay.com/', ['gamespic.uloveplay.com']],
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
    // The colon left out of the scheme (the real registry's `https//www.cekpremi.com`).
    ['https//www.cekpremi.com', ['cekpremi.com']],
    ['HTTP//shop.example.co.id/login', ['shop.example.co.id']],
    // A name ending a sentence, then another name: two names, not `a.com.b.com`.
    ['a.com. b.com', ['a.com', 'b.com']],
    ['a.com . b.com', ['a.com', 'b.com']],
    ['shopee.co.id.  Lazada.co.id/promo', ['shopee.co.id', 'lazada.co.id']],
    // …but a space typed after a dot inside one name still joins it: the right side is a suffix alone.
    ['tokopedia. co.id', ['tokopedia.co.id']],
    ['www.tokopedia. co.id', ['tokopedia.co.id']],
  ])('given %p, when normalised, then the host names are %p', (raw, expected) => {
    expect(normaliseSystemAddress(raw).hostnames).toEqual(expected);
  });

  it('given a Play Store URL, when normalised, then its package name is the app id and no host name is invented', () => {
    const raw = 'https://play.google.com/store/apps/details?id=com.renakta.help';
    expect(normaliseSystemAddress(raw)).toEqual({
      hostnames: [],
      appIds: ['com.renakta.help'],
      ipAddresses: [],
      unnormalised: [],
      parts: [{ kind: 'app-id', raw, store: 'google-play', appId: 'com.renakta.help' }],
    });
  });

  it('given a real field with a site, an App Store and a Play Store link (fullwidth separators too), when normalised, then each is in its place', () => {
    expect(
      normaliseSystemAddress(
        'helo.com/; apps.apple.com/us/app/helo-share-your-life/id1437494436; play.google.com/store/apps/details?id=world.social.group.video.share&hl=en_SG&gl=US',
      ),
    ).toMatchObject({
      hostnames: ['helo.com'],
      appIds: ['id1437494436', 'world.social.group.video.share'],
      unnormalised: [],
    });
    expect(
      normaliseSystemAddress(
        'play.google.com/store/apps/details?id=com.mf.town；https://apps.apple.com/us/app/merge-county/id1586279379',
      ).appIds,
    ).toEqual(['com.mf.town', 'id1586279379']);
  });

  it('given app ids as typed in the registry (case, a stray space, query strings), when normalised, then the ids are exact', () => {
    expect(
      normaliseSystemAddress(
        'play.google.com/store/apps/details?id=com.YoStarEN.AzurLane;apps.apple.com/us/app/azur-lane/id1411126549?l=zh&ls=1',
      ).appIds,
    ).toEqual(['com.YoStarEN.AzurLane', 'id1411126549']);
    expect(
      normaliseSystemAddress('play.google.com/store/apps/details?id=com. tencent.mm&hl=in&gl=US').appIds,
    ).toEqual(['com.tencent.mm']);
  });

  it.each([
    'apps.apple.com',
    'play.google.com/store/search?q=sausage+man&c=apps',
    'https://play.google.com/store/apps/details?id=',
  ])(
    'given the app-store link %p that names no app, when normalised, then it is unnormalised as app-store-without-id',
    (raw) => {
      expect(normaliseSystemAddress(raw)).toMatchObject({
        hostnames: [],
        appIds: [],
        unnormalised: [{ value: raw, reason: 'app-store-without-id' }],
      });
    },
  );

  it('given public IP addresses, when normalised, then they are validated addresses, not host names', () => {
    expect(normaliseSystemAddress('13.227.254.72')).toMatchObject({
      hostnames: [],
      ipAddresses: ['13.227.254.72'],
      parts: [{ kind: 'ip-address', version: 4, address: '13.227.254.72' }],
    });
    expect(normaliseSystemAddress('https://[2001:DB8:0:0::1]:8443/x; [2606:4700::6810:84e5]')).toMatchObject({
      ipAddresses: ['2606:4700::6810:84e5'],
      unnormalised: [{ value: 'https://[2001:DB8:0:0::1]:8443/x', reason: 'non-public-ip' }],
    });
    expect(normaliseSystemAddress('2606:4700:0:0:0:0:6810:84E5').ipAddresses).toEqual([
      '2606:4700::6810:84e5',
    ]);
  });

  it('given private addresses and words around them (a real field), when normalised, then nothing blockable is found and each piece has a reason', () => {
    const result = normaliseSystemAddress(
      'http://172.19.151.1 (Main Site); http://172.26.151.1 (DR Site); Private Network',
    );
    expect(result.hostnames).toEqual([]);
    expect(result.ipAddresses).toEqual([]);
    expect(result.unnormalised).toEqual([
      { value: 'http://172.19.151.1', reason: 'non-public-ip' },
      { value: 'Main', reason: 'text' },
      { value: 'Site', reason: 'text' },
      { value: 'http://172.26.151.1', reason: 'non-public-ip' },
      { value: 'DR', reason: 'text' },
      { value: 'Private', reason: 'text' },
      { value: 'Network', reason: 'text' },
    ]);
  });

  it('given a host-name list ending in an IP (a real field), when normalised, then both kinds are kept', () => {
    expect(
      normaliseSystemAddress(
        'www.indosurya.net   www.indosuryaonline.co.id    https://webtrading.indosuryaonline.co.id    https://live.itradeindonesia.com    103.138.41.238',
      ),
    ).toMatchObject({
      hostnames: [
        'indosurya.net',
        'indosuryaonline.co.id',
        'webtrading.indosuryaonline.co.id',
        'live.itradeindonesia.com',
      ],
      ipAddresses: ['103.138.41.238'],
      unnormalised: [],
    });
  });

  it.each(['300.1.1.1', '1.2.3.04', '[2001:db8::g]'])(
    'given %p, when normalised, then it is an invalid IP',
    (raw) => {
      expect(normaliseSystemAddress(raw).unnormalised).toEqual([{ value: raw, reason: 'invalid-ip' }]);
    },
  );

  it.each(['abcd.com', 'ABCD.com', 'localhost', 'test', 'http://www.example.com/x', 'intranet.local'])(
    'given the bogus entry %p, when normalised, then it is unnormalised as bogus',
    (raw) => {
      const result = normaliseSystemAddress(raw);
      expect(result.hostnames).toEqual([]);
      expect(result.unnormalised.map((n) => n.reason)).toEqual(['bogus']);
    },
  );

  it.each(['https://CO.ID/', 'my.id', 'x_y.com', `${'a'.repeat(64)}.com`, 'ab--cd.com'])(
    'given %p, which the host-name rule refuses, when normalised, then it is unnormalised as not-a-domain',
    (raw) => {
      expect(normaliseSystemAddress(raw).unnormalised).toEqual([{ value: raw, reason: 'not-a-domain' }]);
    },
  );

  it.each([
    ['-', 'placeholder'],
    ['--', 'placeholder'],
    ['N/A', 'placeholder'],
    ['admin@bprbkklasem.co.id', 'email-address'],
  ] as const)('given %p, when normalised, then it is unnormalised as %p', (raw, reason) => {
    expect(normaliseSystemAddress(raw)).toMatchObject({
      hostnames: [],
      appIds: [],
      ipAddresses: [],
      unnormalised: [{ value: raw, reason }],
    });
  });

  it.each(['', '   ', 'sedang dalam pembuatan', 'Direct Internet Banking'])(
    'given %p, when normalised, then there is no host name, app id or IP',
    (raw) => {
      const result = normaliseSystemAddress(raw);
      expect([...result.hostnames, ...result.appIds, ...result.ipAddresses]).toEqual([]);
    },
  );

  it('given labels around URLs, when normalised, then only the hosts remain', () => {
    expect(
      normaliseSystemAddress(
        'Top-level domain: https://www.kupu.id; Second-level domain: https://employer.kupu.id',
      ).hostnames,
    ).toEqual(['kupu.id', 'employer.kupu.id']);
  });
});

describe('normaliseSystemAddress properties', () => {
  const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
  const domain = fc
    .tuple(
      fc.array(label, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('com', 'id', 'co.id', 'net', 'org'),
    )
    .map(([labels, tld]) => [...labels, tld].join('.'))
    .filter((d) => !d.startsWith('www') && normaliseSystemAddress(d).hostnames.length === 1);
  const decorate = fc.tuple(
    fc.constantFrom('', 'http://', 'https://', 'HTTPS://www.', 'www.'),
    fc.constantFrom('', '/', '/path?q=1', ':8443', ':443/x'),
  );

  it('given decorated domains joined by any separator, when normalised, then the bare domains come back de-duplicated', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(domain, decorate), { minLength: 1, maxLength: 5 }),
        fc.constantFrom('; ', ', ', ' ', ' dan ', ' ;; ', '；'),
        (items, separator) => {
          const raw = items.map(([d, [pre, post]]) => `${pre}${d}${post}`).join(separator);
          expect(normaliseSystemAddress(raw).hostnames).toEqual([...new Set(items.map(([d]) => d))]);
        },
      ),
    );
  });

  it('given any text, when normalised twice, then the host names, app ids and IPs are stable', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const once = normaliseSystemAddress(raw);
        const again = normaliseSystemAddress([...once.hostnames, ...once.ipAddresses].join('; '));
        expect(again.hostnames).toEqual(once.hostnames);
        expect(again.ipAddresses).toEqual(once.ipAddresses);
      }),
    );
  });

  it('given any host name the registry normaliser finds, when matched, then its matching key is that host name', () => {
    fc.assert(
      fc.property(fc.tuple(domain, decorate), ([d, [pre, post]]) => {
        const [hostname] = normaliseSystemAddress(`${pre}${d}${post}`).hostnames;
        expect(normaliseHostnameForMatching(`${pre}${d}${post}`)).toEqual({
          key: hostname,
          kind: 'hostname',
        });
      }),
    );
  });
});

describe('normaliseHostnameForMatching', () => {
  it.each([
    ['PayPal.com', 'paypal.com'],
    ['https://www.PayPal.com:443/id/home', 'paypal.com'],
    ['store.steampowered.com.', 'store.steampowered.com'],
    ['www2.example.com', 'example.com'],
    ['bücher.de', 'xn--bcher-kva.de'],
  ])('given the traffic domain %p, when normalised, then its key is %p', (raw, key) => {
    expect(normaliseHostnameForMatching(raw)).toEqual({ key, kind: 'hostname' });
  });

  it('given an IP address or an app-store link, when normalised, then the key is the address or the app id', () => {
    expect(normaliseHostnameForMatching('13.227.254.72')).toEqual({
      key: '13.227.254.72',
      kind: 'ip-address',
    });
    expect(
      normaliseHostnameForMatching('https://play.google.com/store/apps/details?id=com.renakta.help'),
    ).toEqual({
      key: 'com.renakta.help',
      kind: 'app-id',
    });
  });

  it.each([
    ['', 'empty'],
    ['a.com; b.com', 'several'],
    ['-', 'placeholder'],
    ['com', 'not-a-domain'],
    ['localhost', 'not-a-domain'],
    ['10.0.0.1', 'non-public-ip'],
    ['999.1.1.1', 'invalid-ip'],
  ] as const)('given %p, when normalised, then it is refused as %p with a message', (raw, reason) => {
    const result = normaliseHostnameForMatching(raw);
    expect(result).toEqual({ refused: { reason, message: expect.any(String) } });
  });
});

describe('normaliseHostnameForMatching on private addresses', () => {
  it.each(['10.0.0.1', '192.168.1.10', 'http://172.16.0.5:8080/admin', '127.0.0.1', 'fe80::1', '[fd00::1]'])(
    'given the private or reserved address %p, when normalised, then it is refused saying providers cannot block it',
    (raw) => {
      expect(normaliseHostnameForMatching(raw)).toEqual({
        refused: {
          reason: 'non-public-ip',
          message: expect.stringContaining('internet providers cannot block it'),
        },
      });
    },
  );
});

describe('the plain-name fast path of normaliseHostnameForMatching', () => {
  const label = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
  const name = fc
    .tuple(
      fc.constantFrom('', 'www.', 'www2.', 'xn--', 'ab--', 'play.', 'apps.', 'itunes.'),
      fc.array(label, { minLength: 0, maxLength: 4 }),
      fc.constantFrom('com', 'co.id', 'id', 'github.io', 'google.com', 'apple.com', 'test', 'x1', 'c'),
      fc.constantFrom('', '.', '/', ':80', 'X'),
    )
    .map(([pre, labels, tld, post]) => `${pre}${[...labels, tld].join('.')}${post}`);

  it('given names plain and not, when the fast path answers, then it gives what the full path gives', () => {
    let answered = 0;
    fc.assert(
      fc.property(fc.oneof(name, fc.domain(), fc.string()), (raw) => {
        const fast = matchingKeyOfPlainName(raw);
        if (fast !== null) {
          answered++;
          expect(matchingKeyOf(raw)).toEqual({ key: fast, kind: 'hostname' });
        }
        expect(normaliseHostnameForMatching(raw)).toEqual(matchingKeyOf(raw));
      }),
      { numRuns: 3000 },
    );
    // The fast path must be taken for ordinary names, or this test proves nothing.
    expect(answered).toBeGreaterThan(300);
  });

  it.each([
    'com',
    'co.id',
    'www.co.id',
    'play.google.com',
    'xn--bcher-kva.de',
    'ab--c.com',
    'a---0.com',
    'www.a---b.com',
    'www.x',
  ])('given %p, when matched, then the fast path leaves it to the full rule', (raw) => {
    expect(matchingKeyOfPlainName(raw)).toBeNull();
  });
});

describe('PublicIpAddress and AppStoreId', () => {
  it('given public addresses, when parsed, then they are stored in canonical form', () => {
    expect(PublicIpAddress.parse('13.227.254.72')).toBe('13.227.254.72');
    expect(PublicIpAddress.parse('2606:4700:0:0:0:0:6810:84E5')).toBe('2606:4700::6810:84e5');
  });

  it.each(['10.0.0.1', '300.1.1.1', 'http://13.227.254.72/', '13.227.254.72:80', 'paypal.com', ''])(
    'given %p, when parsed, then it is refused with a message',
    (raw) => {
      const result = PublicIpAddress.safeParse(raw);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0].message).toMatch(/public IPv4 or IPv6/);
    },
  );

  it('given app ids, when parsed, then Play package names and App Store ids pass and the rest is refused', () => {
    expect(AppStoreId.parse('com.YoStarEN.AzurLane')).toBe('com.YoStarEN.AzurLane');
    expect(AppStoreId.parse('id1489226483')).toBe('id1489226483');
    expect(AppStoreId.safeParse('id').success).toBe(false);
    expect(AppStoreId.safeParse('com. tencent').success).toBe(false);
    expect(AppStoreId.safeParse('1489226483').success).toBe(false);
  });
});
