import { z } from 'zod';
import { Hostname, isStoredHostname, normaliseHostname, type HostnameRule } from './hostname';

const label63 = 'a'.repeat(63);
// Four 63-character labels and `com`: 4 × 64 + 3 = 259 characters.
const tooLongName = `${label63}.${label63}.${label63}.${label63}.com`;
// 253 exactly: 3 × 64 + 57 + `.com` (4) = 253.
const longestName = `${label63}.${label63}.${label63}.${'b'.repeat(57)}.com`;

describe('normaliseHostname', () => {
  it.each([
    ['paypal.com', 'paypal.com'],
    ['store.steampowered.com', 'store.steampowered.com'],
    ['PayPal.COM', 'paypal.com'],
    ['paypal.com.', 'paypal.com'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['BÜCHER.de', 'xn--bcher-kva.de'],
    ['xn--bcher-kva.DE', 'xn--bcher-kva.de'],
    ['münchen。de', 'xn--mnchen-3ya.de'],
    ['кц.рф', 'xn--j1ay.xn--p1ai'],
    ['github.io', 'github.io'],
    ['sharp.id', 'sharp.id'],
    ['niagara.my.id', 'niagara.my.id'],
    ['88bangunan.co.id', '88bangunan.co.id'],
    ['lapsed.example', 'lapsed.example'],
    ['a-b.com', 'a-b.com'],
    [`${label63}.com`, `${label63}.com`],
    [longestName, longestName],
  ])('given %p, when normalised, then it is stored as %p', (name, stored) => {
    expect(normaliseHostname(name)).toEqual({ hostname: stored });
  });

  it.each<[string, HostnameRule, string]>([
    ['', 'empty', 'an empty name'],
    ['.', 'empty', 'an empty name'],
    ['paypal.com\n$INCLUDE /etc/passwd', 'characters', 'characters outside letters, digits and hyphen'],
    ['paypal.com\r\n', 'characters', 'U+000D'],
    ['pay pal.com', 'characters', 'U+0020'],
    ['paypal\u0085.com', 'characters', 'U+0085'],
    ['\u200bpaypal.com', 'characters', 'U+200B'],
    ['https://paypal.com/', 'characters', 'not a URL'],
    ['paypal.com:443', 'characters', 'not a URL'],
    ['pay_pal.com', 'characters', '"_"'],
    ['$include', 'characters', '"$"'],
    ['*', 'wildcard', 'a wildcard (*)'],
    ['*.paypal.com', 'wildcard', 'a wildcard (*)'],
    ['paypal..com', 'empty-label', 'two dots in a row'],
    ['..', 'empty-label', 'empty label'],
    ['.paypal.com', 'empty-label', 'empty label'],
    [`${'a'.repeat(64)}.com`, 'label-too-long', 'label longer than 63 characters (64)'],
    [tooLongName, 'too-long', 'longer than 253 characters (259)'],
    ['-paypal.com', 'hyphen-edge', 'starting or ending with a hyphen'],
    ['paypal-.com', 'hyphen-edge', 'starting or ending with a hyphen'],
    ['ab--cd.com', 'reserved-hyphens', 'reserved for A-labels'],
    ['xn--a.com', 'idna', 'not a valid A-label'],
    ['a\u2100.com', 'idna', 'IDNA'],
    ['110.110.110.135', 'ip-address', 'an IP address (110.110.110.135)'],
    ['paypal.123', 'numeric-tld', 'all digits'],
    ['localhost', 'single-label', 'a single label (localhost)'],
    ['COM', 'public-suffix', 'a public suffix alone (com) cannot be blocked'],
    ['com', 'public-suffix', 'a public suffix alone (com) cannot be blocked'],
    ['co.id', 'public-suffix', 'a public suffix alone (co.id)'],
    ['my.id', 'public-suffix', 'a public suffix alone (my.id)'],
    ['go.id.', 'public-suffix', 'a public suffix alone (go.id)'],
    ['рф', 'public-suffix', 'a public suffix alone (xn--p1ai)'],
  ])('given %j, when normalised, then it is refused (%s) naming %p', (name, rule, message) => {
    const result = normaliseHostname(name);
    expect(result).toEqual({ refused: { rule, message: expect.stringContaining(message) } });
  });

  it('given a 254-character name, when normalised, then it is refused as too long', () => {
    const name = `${label63}.${label63}.${label63}.${'b'.repeat(58)}.com`;
    expect(name).toHaveLength(254);
    expect(normaliseHostname(name)).toMatchObject({ refused: { rule: 'too-long' } });
  });

  it('given a hostile name, when refused, then the message carries no control character of it', () => {
    for (const name of ['a.com\n$INCLUDE x', 'a\u001b[31m.com', 'a\u009b31m.com']) {
      const result = normaliseHostname(name);
      if (!('refused' in result)) throw new Error(`${name} accepted`);
      expect(result.refused.message).not.toMatch(/[\p{Cc}]/u);
    }
  });

  it('given a huge input, when normalised, then it is refused without converting it', () => {
    expect(normaliseHostname(`${'a.'.repeat(5000)}com`)).toMatchObject({ refused: { rule: 'too-long' } });
  });
});

describe('normaliseHostname, asked again', () => {
  it('given a name judged before, when judged again, then the same frozen answer comes back', () => {
    const first = normaliseHostname('Again.Example.com');
    expect(normaliseHostname('Again.Example.com')).toBe(first);
    expect(first).toEqual({ hostname: 'again.example.com' });
    expect(Object.isFrozen(first)).toBe(true);
    const refusal = normaliseHostname('co.id');
    expect(normaliseHostname('co.id')).toBe(refusal);
    expect(Object.isFrozen(refusal) && 'refused' in refusal && Object.isFrozen(refusal.refused)).toBe(true);
  });

  it('given more names than are kept, when the first are judged again, then each answer is still its own', () => {
    const names = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? `co.id` : `Host-${i}.Example.com`));
    const first = names.map((name) => normaliseHostname(name));
    const again = names.map((name) => normaliseHostname(name));
    expect(again).toEqual(first);
    expect(again[1]).toEqual({ hostname: 'host-1.example.com' });
    expect(again[2999]).toEqual({ hostname: 'host-2999.example.com' });
    expect(again[0]).toMatchObject({ refused: { rule: 'public-suffix' } });
  });
});

describe('isStoredHostname', () => {
  it.each([
    ['paypal.com', true],
    ['xn--bcher-kva.de', true],
    ['PayPal.com', false],
    ['bücher.de', false],
    ['paypal.com.', false],
    ['com', false],
    ['a.com\nb', false],
  ])('given %j, then %p', (name, expected) => {
    expect(isStoredHostname(name)).toBe(expected);
  });
});

describe('Hostname (zod)', () => {
  it('given a Unicode name, when parsed, then the A-label form comes out', () => {
    expect(Hostname.parse('Bücher.de.')).toBe('xn--bcher-kva.de');
  });

  it('given a public suffix inside an object, when parsed, then the issue names the path and the rule', () => {
    const result = z.object({ domains: z.array(Hostname) }).safeParse({ domains: ['paypal.com', 'com'] });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['domains', 1],
        message: 'a public suffix alone (com) cannot be blocked: it would block every domain under it',
      }),
    ]);
  });

  it('given the schema, when published as JSON Schema, then it is a string with its description', () => {
    expect(z.toJSONSchema(Hostname, { io: 'input' })).toMatchObject({
      type: 'string',
      description: expect.stringContaining('A-labels'),
    });
  });
});
