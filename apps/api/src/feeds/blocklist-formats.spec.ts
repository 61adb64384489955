import type { BlocklistEntry } from '@sanksi/read-models';
import {
  BLOCKLIST_FORMATS,
  type DroppedBlocklistEntry,
  publishableChange,
  publishableEntry,
  rpzIpTrigger,
} from './blocklist-formats';
import { renderBlocklist } from './published-blocklist';

// The renderers are the second line of the host-name rule: whatever history recorded before the rule
// holds, no format writes a line that is not a host name (docs/read-models.md, blocklist formats).
const since = '2022-07-30T06:00:00+07:00';
const entry = (domain: string, pseId = 'pse-1'): BlocklistEntry => ({ domain, pseId, since });
const ipEntry = (ip: string, pseId = 'bank-app'): BlocklistEntry => ({
  kind: 'ip',
  domain: ip,
  pseId,
  since,
});

const HOSTILE = [
  'paypal.com\n$INCLUDE /etc/passwd CNAME .',
  '$INCLUDE /etc/passwd',
  'evil.com CNAME rpz-passthru.',
  'pay pal.com',
  'com',
  'co.id',
  '*',
  '*.steampowered.com',
  '..',
  'a..b.com',
  `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com`,
  'x.com\r\n0.0.0.0 bank.co.id',
  'a\u001b]0;pwned\u0007.com',
  '',
];
const GOOD = [entry('paypal.com'), entry('store.steampowered.com', 'pse-2')];
const entries = [...GOOD, ...HOSTILE.map((d, i) => entry(d, `legacy-${i}`))];

function render(format: (typeof BLOCKLIST_FORMATS)[number]) {
  const dropped: DroppedBlocklistEntry[] = [];
  const text = renderBlocklist(format, entries, 42, (d) => dropped.push(d));
  return { text, dropped };
}

describe('renderBlocklist with hostile recorded domains', () => {
  it('given hostile entries, when rendered as txt, then only the host names are written, one per line', () => {
    const { text, dropped } = render('txt');
    expect(text).toBe('paypal.com\nstore.steampowered.com\n');
    expect(dropped.map((d) => d.domain)).toEqual(HOSTILE);
  });

  it('given hostile entries, when rendered as hosts, then no line but the header and the host names', () => {
    const { text } = render('hosts');
    expect(text).toBe(
      '# Sanksi blocklist, position 42\n0.0.0.0 paypal.com\n0.0.0.0 store.steampowered.com\n',
    );
  });

  it('given hostile entries, when rendered as RPZ, then no $INCLUDE, no TLD and no foreign record', () => {
    const { text, dropped } = render('rpz');
    expect(text.split('\n')).toEqual([
      '$TTL 300',
      '@ IN SOA localhost. hostmaster.localhost. ( 42 3600 600 86400 300 )',
      '@ IN NS localhost.',
      'paypal.com CNAME .',
      '*.paypal.com CNAME .',
      'store.steampowered.com CNAME .',
      '*.store.steampowered.com CNAME .',
      '',
    ]);
    expect(dropped.find((d) => d.domain === 'com')?.refusal.rule).toBe('public-suffix');
  });

  it('given hostile entries, when rendered as CSV, then one row per host name and nothing else', () => {
    const { text } = render('csv');
    expect(text).toBe(
      'domain,pseId,since,ip\n' + `paypal.com,pse-1,${since},\n` + `store.steampowered.com,pse-2,${since},\n`,
    );
  });

  it('given hyphenated domains and a domain two cases list, when rendered as CSV, then rows follow txt’s order, then the case', () => {
    const list = [entry('ab.com', 'z'), entry('a-c.com', 'y'), entry('ab.com', 'b'), entry('a.com', 'x')];
    const txt = renderBlocklist('txt', list, 1).trimEnd().split('\n');
    const csv = renderBlocklist('csv', list, 1).trimEnd().split('\n').slice(1);
    expect(txt).toEqual(['a-c.com', 'a.com', 'ab.com']);
    expect(csv.map((row) => row.split(',').slice(0, 2).join(' '))).toEqual([
      'a-c.com y',
      'a.com x',
      'ab.com b',
      'ab.com z',
    ]);
  });

  it('given hostile entries, when rendered as JSON, then it parses and lists only the host names', () => {
    const { text, dropped } = render('json');
    expect(JSON.parse(text)).toEqual({ position: 42, count: 2, entries: GOOD });
    expect(dropped).toHaveLength(HOSTILE.length);
  });

  it.each(BLOCKLIST_FORMATS)(
    'given hostile entries, when rendered as %s, then no hostile text appears',
    (format) => {
      const { text } = render(format);
      for (const needle of [
        '$INCLUDE',
        'passwd',
        'rpz-passthru',
        'bank.co.id',
        '\u001b',
        '\u0007',
        ' com ',
      ]) {
        expect(text).not.toContain(needle);
      }
      expect(text).not.toMatch(/^(?:\*\.)?com CNAME/m);
    },
  );

  it('given a legacy Unicode or upper-case domain, when rendered, then it is written as an A-label', () => {
    expect(renderBlocklist('txt', [entry('Bücher.DE')], 1)).toBe('xn--bcher-kva.de\n');
    expect(publishableEntry(entry('PayPal.com.'))).toEqual(entry('paypal.com'));
  });

  it('given a case id that would run as a spreadsheet formula or break a row, when rendered as CSV, then it is defused', () => {
    const text = renderBlocklist(
      'csv',
      [entry('a.com', '=HYPERLINK("http://x")'), entry('b.com', 'legacy\n,id'), entry('c.com', '@SUM(1)')],
      1,
    );
    expect(text.split('\n')).toEqual([
      'domain,pseId,since,ip',
      `a.com,"'=HYPERLINK(""http://x"")",${since},`,
      `b.com,"legacy\\u000a,id",${since},`,
      `c.com,"'@SUM(1)",${since},`,
      '',
    ]);
  });
});

// Cases with public IP addresses (docs/decisions/0007): RPZ blocks them by the response-IP trigger,
// CSV and JSON carry them, txt and hosts say how many they leave out.
describe('renderBlocklist with IP entries', () => {
  const list = [
    entry('paypal.com', 'paypal'),
    ipEntry('8.8.4.4'),
    ipEntry('2606:4700:4700::1111'),
    ipEntry('13.227.254.72'),
    // The same address blocked for two cases is one trigger, two CSV/JSON rows.
    ipEntry('13.227.254.72', 'other-app'),
  ];

  it('given IPs, when rendered as RPZ, then each is one rpz-ip trigger of its /32 or /128, after the names, IPv4 first', () => {
    expect(renderBlocklist('rpz', list, 7).split('\n')).toEqual([
      '$TTL 300',
      '@ IN SOA localhost. hostmaster.localhost. ( 7 3600 600 86400 300 )',
      '@ IN NS localhost.',
      'paypal.com CNAME .',
      '*.paypal.com CNAME .',
      '32.4.4.8.8.rpz-ip CNAME .',
      '32.72.254.227.13.rpz-ip CNAME .',
      '128.1111.zz.4700.4700.2606.rpz-ip CNAME .',
      '',
    ]);
  });

  it('given IPv4 and IPv6 addresses, then the trigger names are the reversed forms of the RPZ draft (zz for the :: run)', () => {
    expect(rpzIpTrigger('1.2.3.4')).toBe('32.4.3.2.1.rpz-ip');
    expect(rpzIpTrigger('2001:db8:0:1::57')).toBe('128.57.zz.1.0.db8.2001.rpz-ip');
    expect(rpzIpTrigger('2606:4700::')).toBe('128.zz.4700.2606.rpz-ip');
    expect(rpzIpTrigger('::1')).toBe('128.1.zz.rpz-ip');
    expect(rpzIpTrigger('2404:6800:4003:c00::8a')).toBe('128.8a.zz.c00.4003.6800.2404.rpz-ip');
    expect(rpzIpTrigger('2404:6800:4003:c00:1:2:3:8a')).toBe('128.8a.3.2.1.c00.4003.6800.2404.rpz-ip');
  });

  it('given IPs, when rendered as txt or hosts, then a comment line says how many were left out and no IP is written', () => {
    expect(renderBlocklist('txt', list, 7)).toBe(
      '# 3 blocked IP addresses left out: this format carries host names only (rpz, csv and json carry them)\n' +
        'paypal.com\n',
    );
    expect(renderBlocklist('hosts', [entry('paypal.com'), ipEntry('8.8.4.4')], 7)).toBe(
      '# Sanksi blocklist, position 7\n' +
        '# 1 blocked IP address left out: this format carries host names only (rpz, csv and json carry them)\n' +
        '0.0.0.0 paypal.com\n',
    );
    // No IPs, no comment: a domain-only list is written as before.
    expect(renderBlocklist('txt', [entry('paypal.com')], 7)).toBe('paypal.com\n');
  });

  it('given IPs, when rendered as CSV, then IP rows fill the ip column and leave domain empty', () => {
    expect(renderBlocklist('csv', list, 7).split('\n')).toEqual([
      'domain,pseId,since,ip',
      `paypal.com,paypal,${since},`,
      `,bank-app,${since},8.8.4.4`,
      `,bank-app,${since},13.227.254.72`,
      `,other-app,${since},13.227.254.72`,
      `,bank-app,${since},2606:4700:4700::1111`,
      '',
    ]);
  });

  it('given IPs, when rendered as JSON, then IP entries name ip and never domain, after the domains, in the order of rpz and CSV', () => {
    expect(JSON.parse(renderBlocklist('json', list, 7))).toEqual({
      position: 7,
      count: 5,
      entries: [
        { domain: 'paypal.com', pseId: 'paypal', since },
        { ip: '8.8.4.4', pseId: 'bank-app', since },
        { ip: '13.227.254.72', pseId: 'bank-app', since },
        { ip: '13.227.254.72', pseId: 'other-app', since },
        { ip: '2606:4700:4700::1111', pseId: 'bank-app', since },
      ],
    });
  });

  it('given recorded IP entries that are no public IP address, when rendered in any format, then they are dropped with the rule and none is written', () => {
    const hostile = [
      '10.0.0.1',
      '127.0.0.1',
      '2001:db8::1',
      '300.1.1.1',
      '1.2.3.4\n$INCLUDE /etc/passwd',
      '1.2.3.4 CNAME rpz-passthru.',
      'paypal.com',
      '',
    ];
    for (const format of BLOCKLIST_FORMATS) {
      const dropped: DroppedBlocklistEntry[] = [];
      const text = renderBlocklist(
        format,
        [ipEntry('8.8.4.4'), ...hostile.map((h, i) => ipEntry(h, `legacy-${i}`))],
        1,
        (d) => dropped.push(d),
      );
      expect(dropped.map((d) => [d.domain, d.kind, d.refusal.rule])).toEqual(
        hostile.map((h) => [h, 'ip', 'public-ip']),
      );
      for (const needle of ['10.0.0.1', '127.0.0.1', '2001:db8', '300.1', '$INCLUDE', 'passthru', 'paypal']) {
        expect(text).not.toContain(needle);
      }
    }
  });

  it('given a domain entry holding an IP address, when rendered, then it is dropped: a name never carries an address', () => {
    const dropped: DroppedBlocklistEntry[] = [];
    expect(renderBlocklist('rpz', [entry('8.8.4.4')], 1, (d) => dropped.push(d))).not.toContain('8.8.4.4');
    expect(dropped).toHaveLength(1);
  });

  it('given an IP entry in a non-canonical form, when published, then it is written canonical', () => {
    expect(publishableEntry(ipEntry('2606:4700:4700:0:0:0:0:1111'))).toEqual({
      ip: '2606:4700:4700::1111',
      pseId: 'bank-app',
      since,
    });
  });

  it('given change-feed lines, when published, then a domain line names domain and an IP line ip, and a bad line is refused', () => {
    const line = { position: 3, pseId: 'bank-app', action: 'add' as const, at: since };
    expect(publishableChange({ ...line, kind: 'domain', domain: 'PayPal.com' })).toEqual({
      position: 3,
      domain: 'paypal.com',
      pseId: 'bank-app',
      action: 'add',
      at: since,
    });
    expect(publishableChange({ ...line, kind: 'ip', domain: '8.8.4.4' })).toEqual({
      position: 3,
      ip: '8.8.4.4',
      pseId: 'bank-app',
      action: 'add',
      at: since,
    });
    expect(publishableChange({ ...line, kind: 'ip', domain: '10.0.0.1' })).toMatchObject({
      refused: { domain: '10.0.0.1', kind: 'ip', refusal: { rule: 'public-ip' } },
    });
  });
});
