import type { BlocklistEntry } from '@sanksi/read-models';
import {
  BLOCKLIST_FORMATS,
  type DroppedBlocklistEntry,
  publishableEntries,
  renderBlocklist,
} from './blocklist-formats';

// The renderers are the second line of the host-name rule: whatever history recorded before the rule
// holds, no format writes a line that is not a host name (docs/read-models.md, blocklist formats).
const since = '2022-07-30T06:00:00+07:00';
const entry = (domain: string, pseId = 'pse-1'): BlocklistEntry => ({ domain, pseId, since });

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
      'domain,pseId,since\n' + `paypal.com,pse-1,${since}\n` + `store.steampowered.com,pse-2,${since}\n`,
    );
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
    expect(publishableEntries([entry('PayPal.com.')])).toEqual([entry('paypal.com')]);
  });

  it('given a case id that would run as a spreadsheet formula or break a row, when rendered as CSV, then it is defused', () => {
    const text = renderBlocklist(
      'csv',
      [entry('a.com', '=HYPERLINK("http://x")'), entry('b.com', 'legacy\n,id'), entry('c.com', '@SUM(1)')],
      1,
    );
    expect(text.split('\n')).toEqual([
      'domain,pseId,since',
      `a.com,"'=HYPERLINK(""http://x"")",${since}`,
      `b.com,"legacy\\u000a,id",${since}`,
      `c.com,"'@SUM(1)",${since}`,
      '',
    ]);
  });
});
