import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';
import { parse as parseDomain } from 'tldts';
import { z } from 'zod';
import { normaliseHostname } from './hostname';

/** Which app store an app-store identifier belongs to. */
export type AppStore = 'google-play' | 'apple-app-store';

/** Why a piece of an address field did not become a host name, an app id or an IP address. */
export type AddressRefusalReason =
  /** `-`, `--`, `n/a` and other stand-ins for "none". */
  | 'placeholder'
  /** A word or phrase with no dot, e.g. `dan`, `(Main Site)`, `Private Network`. */
  | 'text'
  /** Test or placeholder entries (`abcd.com`, `example.com`, `localhost`, `*.test`). */
  | 'bogus'
  /** Looks like a name but breaks the host-name rule (public suffix alone, bad characters...). */
  | 'not-a-domain'
  | 'email-address'
  /** An app-store link that names no app (`apps.apple.com`, a Play Store search). */
  | 'app-store-without-id'
  /** Looks like an IP address but is not a valid one (`300.1.1.1`). */
  | 'invalid-ip'
  /** A private, loopback, link-local, multicast or otherwise reserved address: not blockable on the Internet. */
  | 'non-public-ip';

/** One piece of an address field, by what it turned out to be. */
export type SystemAddressPart =
  | { kind: 'hostname'; raw: string; hostname: string }
  | { kind: 'app-id'; raw: string; store: AppStore; appId: string }
  | { kind: 'ip-address'; raw: string; version: 4 | 6; address: string }
  | { kind: 'unnormalised'; raw: string; reason: AddressRefusalReason };

/** A piece of an address field that could not be normalised, and why. */
export interface UnnormalisedAddress {
  value: string;
  reason: AddressRefusalReason;
}

/** What one free-text address field (the registry's `website`) names, de-duplicated, in order of appearance. */
export interface SystemAddress {
  /** Blockable host names: lower-case A-labels without scheme, `www.`, path, port or trailing dot. */
  hostnames: string[];
  /** Google Play package names (`com.renakta.help`, case kept) and Apple App Store ids (`id1489226483`). */
  appIds: string[];
  /** Public IPv4 (dotted quad) and IPv6 (compressed, lower-case) addresses. */
  ipAddresses: string[];
  /** Pieces that are none of the above, with the reason. */
  unnormalised: UnnormalisedAddress[];
  /** Every piece in order, by kind (duplicates kept). */
  parts: SystemAddressPart[];
}

/** One address as a matching key (a host name, IP address or app id in the form the registry import stores). */
export type MatchingKeyResult =
  | { key: string; kind: 'hostname' | 'ip-address' | 'app-id' }
  | { refused: { reason: AddressRefusalReason | 'empty' | 'several'; message: string } };

// Placeholder and test entries seen in the registry or common in forms; not real operators' sites.
const BOGUS_HOSTS = new Set([
  'abcd.com',
  'abc.abc',
  'test.com',
  'test.test',
  'testing.com',
  'example.com',
  'example.org',
  'example.net',
  'domain.com',
  'website.com',
  'namadomain.com',
  'xxx.com',
  'xxxx.com',
  'asdf.com',
  'localhost',
]);
// Reserved by RFC 2606/6761 or used only inside private networks.
const NON_PUBLIC_TLDS = new Set([
  'test',
  'example',
  'invalid',
  'localhost',
  'local',
  'internal',
  'lan',
  'corp',
]);
const BOGUS_WORDS = new Set(['test', 'testing', 'tes', 'coba', 'dummy', 'localhost']);
const PLACEHOLDERS = new Set(['n/a', 'na', 'none', 'nil', 'null', 'tidak ada', 'belum ada']);

const IPV4_LIKE = /^\d{1,3}(?:\.\d{1,3}){3}$/;
// On top of the host-name rule, a plausibility check: a top-level label of letters (or an A-label).
const TLD_RE = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
// Java package name rules, as Google Play uses them: two or more segments, each starting with a letter.
const PLAY_PACKAGE_RE = /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)+$/;

// Separate lists: a BlockList also matches IPv4 addresses against IPv4-mapped IPv6 rules.
const NON_PUBLIC_V4 = new BlockList();
const NON_PUBLIC_V6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC_V4.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC_V6.addSubnet(network, prefix, 'ipv6');
}

/** The host part of a piece of text that may go on with a path, port, query or fragment. */
function hostPart(text: string): string {
  return text.split(/[/?#:]/)[0];
}

/**
 * Whether `left. right` is two names rather than one name typed with a space after a dot: both sides
 * have a dot, the left ends in a top-level label of letters, and the right is not a public suffix alone.
 * So `a.com. b.com` is two names, while `www. tokopedia. com` and `tokopedia. co.id` are one.
 */
function separatesTwoNames(left: string, right: string): boolean {
  const host = hostPart(right).toLowerCase();
  if (!/\.[a-z]{2,63}$/i.test(left) || !host.includes('.')) return false;
  const parsed = parseDomain(host, { allowPrivateDomains: false });
  return !(parsed.isIcann === true && parsed.publicSuffix === host);
}

function splitIntoCandidates(raw: string): string[] {
  const cleaned = raw
    .replace(/[\u00a0\u200b\u2000-\u200a\u3000]/g, ' ')
    .replace(/[；，、]/g, ';')
    .replace(/[›»«"'`<>(){}|]/g, ' ')
    // Brackets go too, except around an IPv6 address (`[2001:db8::1]`, `https://[::1]:8443/`).
    .replace(/\[(?![^\]\s]*:[^\]\s]*\])|(?<!\[[^[\s]*:[^[\s]*)\]/g, ' ')
    // Typos seen in the registry: `https;//x`, `https ://x`, `www. x. id`, `x .my.id`, `id=com. tencent.mm`.
    // `https//x` (the colon left out, e.g. `https//www.cekpremi.com` in the registry) too.
    .replace(/\b(https?)(?:\s*[;:]\s*\/+|\/\/+)/gi, '$1://')
    .replace(/([^\s;,]*)\s+\.\s+(?=([a-z0-9][^\s;,]*))/gi, (match: string, left: string, right: string) =>
      separatesTwoNames(left, right) ? `${left} ` : match,
    )
    .replace(/([^\s;,]*)\.\s+(?=([a-z0-9][^\s;,]*))/gi, (_match, left: string, right: string) =>
      separatesTwoNames(left, right) ? `${left} ` : `${left}.`,
    )
    .replace(/(?<=[a-z0-9])\s+\./gi, '.');
  return cleaned
    .split(/[;,\s]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

function withoutScheme(candidate: string): string {
  // Only `scheme://` or a mistyped `http:/` / `ttp://`: `host:port` must not be taken for a scheme.
  return candidate.replace(/^(?:[a-z][a-z0-9+-]*:\/\/|h?ttps?:\/*)/i, '');
}

function appStorePart(candidate: string): SystemAddressPart | null {
  const rest = withoutScheme(candidate);
  const play = /^(?:www\.)?play\.google\.com(?::\d+)?(?:[/?#]|$)/i.test(rest);
  const apple = /^(?:www\.)?(?:apps|itunes)\.apple\.com(?::\d+)?(?:[/?#]|$)/i.test(rest);
  if (!play && !apple) return null;
  if (play) {
    const id = /[?&]id=([^&#]+)/.exec(rest)?.[1];
    return id !== undefined && PLAY_PACKAGE_RE.test(id)
      ? { kind: 'app-id', raw: candidate, store: 'google-play', appId: id }
      : { kind: 'unnormalised', raw: candidate, reason: 'app-store-without-id' };
  }
  const id = /\/id(\d{1,15})(?:[/?#]|$)/i.exec(rest)?.[1];
  return id !== undefined
    ? { kind: 'app-id', raw: candidate, store: 'apple-app-store', appId: `id${id}` }
    : { kind: 'unnormalised', raw: candidate, reason: 'app-store-without-id' };
}

function ipPart(candidate: string, host: string): SystemAddressPart | null {
  const bracketed = /^\[([^\]]*)\]/.exec(host)?.[1];
  const v6 = bracketed ?? (host.split(':').length > 2 ? host : undefined);
  if (v6 !== undefined) {
    if (!isIPv6(v6)) return { kind: 'unnormalised', raw: candidate, reason: 'invalid-ip' };
    const address = new URL(`http://[${v6}]/`).hostname.slice(1, -1);
    return NON_PUBLIC_V6.check(address, 'ipv6')
      ? { kind: 'unnormalised', raw: candidate, reason: 'non-public-ip' }
      : { kind: 'ip-address', raw: candidate, version: 6, address };
  }
  const v4 = host.replace(/:\d*$/, '');
  if (!IPV4_LIKE.test(v4)) return null;
  if (!isIPv4(v4)) return { kind: 'unnormalised', raw: candidate, reason: 'invalid-ip' };
  return NON_PUBLIC_V4.check(v4, 'ipv4')
    ? { kind: 'unnormalised', raw: candidate, reason: 'non-public-ip' }
    : { kind: 'ip-address', raw: candidate, version: 4, address: v4 };
}

function hostOf(candidate: string): string {
  // A leftover scheme in the middle (`x.com://x.com`) ends the host too.
  let rest = withoutScheme(candidate).split(/[/?#\\]|:\/\//)[0];
  rest = rest.replace(/^[^@]*@/, '');
  if (rest.startsWith('[') || rest.split(':').length > 2) return rest;
  rest = rest.replace(/:\d*$/, '');
  return rest.replace(/^\.+|\.+$/g, '').toLowerCase();
}

function classify(candidate: string, registry: boolean): SystemAddressPart {
  const unnormalised = (reason: AddressRefusalReason): SystemAddressPart => ({
    kind: 'unnormalised',
    raw: candidate,
    reason,
  });
  const lower = candidate.toLowerCase();
  if (/^[\p{P}\p{S}]+$/u.test(candidate) || PLACEHOLDERS.has(lower)) return unnormalised('placeholder');
  if (registry && BOGUS_WORDS.has(lower)) return unnormalised('bogus');
  const store = appStorePart(candidate);
  if (store) return store;
  const hasScheme = /^[a-z][a-z0-9+-]*:\/\//i.test(candidate);
  if (!hasScheme && /^[^/]+@[^/]+\.[^/]+$/.test(candidate)) return unnormalised('email-address');
  const host = hostOf(candidate);
  const ip = ipPart(candidate, host);
  if (ip) return ip;
  if (!host.includes('.') && !/[:/]/.test(candidate)) return unnormalised(registry ? 'text' : 'not-a-domain');
  const withoutWww = host.replace(/^www\d*\./, '');
  if (registry && BOGUS_HOSTS.has(withoutWww)) return unnormalised('bogus');
  // The one host-name rule of the system (hostname.ts): what the commands would refuse is not a host name here.
  const result = normaliseHostname(withoutWww);
  if ('refused' in result) return unnormalised('not-a-domain');
  const labels = result.hostname.split('.');
  const tld = labels[labels.length - 1];
  if (!TLD_RE.test(tld)) return unnormalised('not-a-domain');
  if (registry && NON_PUBLIC_TLDS.has(tld)) return unnormalised('bogus');
  return { kind: 'hostname', raw: candidate, hostname: result.hostname };
}

/**
 * Normalises one free-text address field (the registry's `website`): splits it on `;`, `,` and
 * whitespace, strips schemes, `www.`, paths, ports and trailing dots, lower-cases and converts IDNs to
 * A-labels, and sorts each piece into host names, app-store ids, public IP addresses, or unnormalised
 * with a reason.
 */
export function normaliseSystemAddress(raw: string): SystemAddress {
  const result: SystemAddress = { hostnames: [], appIds: [], ipAddresses: [], unnormalised: [], parts: [] };
  const addOnce = (list: string[], value: string): void => {
    if (!list.includes(value)) list.push(value);
  };
  for (const candidate of splitIntoCandidates(typeof raw === 'string' ? raw : '')) {
    const part = classify(candidate, true);
    result.parts.push(part);
    switch (part.kind) {
      case 'hostname':
        addOnce(result.hostnames, part.hostname);
        break;
      case 'app-id':
        addOnce(result.appIds, part.appId);
        break;
      case 'ip-address':
        addOnce(result.ipAddresses, part.address);
        break;
      case 'unnormalised':
        if (!result.unnormalised.some((u) => u.value === part.raw)) {
          result.unnormalised.push({ value: part.raw, reason: part.reason });
        }
        break;
    }
  }
  return result;
}

const MATCHING_MESSAGES: Record<AddressRefusalReason, string> = {
  placeholder: 'a placeholder, not an address',
  text: 'a word, not an address',
  bogus: 'a test or placeholder entry',
  'not-a-domain': 'not a host name that can be blocked (the host-name rule refuses it)',
  'email-address': 'an e-mail address, not a host name',
  'app-store-without-id': 'an app-store link that names no app',
  'invalid-ip': 'not a valid IP address',
  'non-public-ip':
    'a private or reserved IP address: not reachable from the Internet, so internet providers cannot block it',
};

/**
 * One address (a traffic row's domain) as the key it is matched by: the same normalisation as
 * `normaliseSystemAddress` gives a registry field (a host name without scheme, `www.`, path, port or
 * trailing dot; a public IP; an app-store id), or why it has none. Test-looking names are not refused
 * here: traffic to them is still traffic.
 */
export function normaliseHostnameForMatching(raw: string): MatchingKeyResult {
  const fast = typeof raw === 'string' ? matchingKeyOfPlainName(raw) : null;
  return fast === null ? matchingKeyOf(raw) : { key: fast, kind: 'hostname' };
}

// A name already in (or one `www.` away from) its stored form: LDH labels that neither start nor end with
// a hyphen, lower case, a top-level label of letters, no trailing dot.
const PLAIN_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
// Hyphens in the 3rd and 4th positions of a label (`xn--` A-labels, `a---0` too): left to the full rule.
const HYPHENS_3_4 = /(?:^|\.)[a-z0-9][a-z0-9-]--/;
const APP_STORE_HOST = /^(?:www\.)?(?:play\.google|apps\.apple|itunes\.apple)\.com$/;

/**
 * The matching key of a plain host name without the splitting, URL and IDNA steps (a file of a million
 * rows is nearly all such names), or null for anything else, which takes the full path. Equal to
 * `matchingKeyOf` wherever it answers (system-address.spec, property test).
 */
export function matchingKeyOfPlainName(raw: string): string | null {
  if (raw.length > 253 || !PLAIN_NAME.test(raw) || HYPHENS_3_4.test(raw) || APP_STORE_HOST.test(raw))
    return null;
  const host = raw.startsWith('www') ? raw.replace(/^www\d*\./, '') : raw;
  if (host !== raw && !PLAIN_NAME.test(host)) return null;
  // A public suffix alone (`co.id`) is refused by the host-name rule: the full path says so.
  const parsed = parseDomain(host, { allowPrivateDomains: false });
  if (parsed.isIcann === true && parsed.publicSuffix === host) return null;
  return host;
}

/** `normaliseHostnameForMatching` the long way: split, classify, the host-name rule. */
export function matchingKeyOf(raw: string): MatchingKeyResult {
  const candidates = splitIntoCandidates(typeof raw === 'string' ? raw : '');
  if (candidates.length === 0) return { refused: { reason: 'empty', message: 'an empty address' } };
  if (candidates.length > 1) {
    return {
      refused: {
        reason: 'several',
        message: `several addresses in one field (${candidates.length}); give one`,
      },
    };
  }
  const part = classify(candidates[0], false);
  switch (part.kind) {
    case 'hostname':
      return { key: part.hostname, kind: 'hostname' };
    case 'ip-address':
      return { key: part.address, kind: 'ip-address' };
    case 'app-id':
      return { key: part.appId, kind: 'app-id' };
    case 'unnormalised':
      return { refused: { reason: part.reason, message: MATCHING_MESSAGES[part.reason] } };
  }
}

/**
 * A public IP address as a new fact may name it (commands, HTTP bodies): refused unless a valid IPv4
 * or IPv6 address outside private and reserved ranges; stored in its canonical form.
 */
export const PublicIpAddress = z
  .string()
  .superRefine((value, ctx) => {
    const part = isIP(value) === 0 ? null : ipPart(value, value);
    if (part?.kind !== 'ip-address') {
      const why = part?.kind === 'unnormalised' ? MATCHING_MESSAGES[part.reason] : 'not an IP address';
      ctx.addIssue({
        code: 'custom',
        message: `${why}: give a public IPv4 or IPv6 address, e.g. 13.227.254.72`,
      });
    }
  })
  .overwrite((value) => {
    const part = isIP(value) === 0 ? null : ipPart(value, value);
    return part?.kind === 'ip-address' ? part.address : value;
  })
  .meta({ description: 'A public IPv4 or IPv6 address', example: '13.227.254.72' });

/** An app-store identifier as stored: a Google Play package name or an Apple App Store `idNNN`. */
export const AppStoreId = z
  .string()
  .max(255)
  .refine((value) => /^id\d{1,15}$/.test(value) || PLAY_PACKAGE_RE.test(value), {
    message: 'must be a Google Play package name (com.example.app) or an App Store id (id1489226483)',
  })
  .meta({ description: 'A Google Play package name or an Apple App Store id', example: 'com.renakta.help' });
