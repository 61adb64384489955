import { normaliseHostname } from '@sanksi/domain';

/** Why a piece of the `website` field did not become a domain. */
export type DiscardReason =
  | 'ip-address'
  | 'bogus'
  | 'not-a-domain'
  | 'email-address'
  | 'play-store'
  | 'app-store';

/** A piece of the `website` field that is not a domain, with the reason. */
export interface DiscardedAddress {
  value: string;
  reason: DiscardReason;
}

/** Result of normalising one `website` field. */
export interface NormalisedDomains {
  /** Lower-case ASCII (punycode) host names without `www.`, de-duplicated, in order of appearance. */
  domains: string[];
  /** Pieces kept for the record but not usable as domains; app-store listings are among them. */
  nonDomains: DiscardedAddress[];
}

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
const BOGUS_WORDS = new Set(['test', 'testing', 'tes', 'coba', 'dummy']);

const IPV4_RE = /^\d{1,3}(?:\.\d{1,3}){3}$/;
// On top of the host-name rule, a registry plausibility check: a top-level label of letters (or an A-label).
const TLD_RE = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

function splitIntoCandidates(raw: string): string[] {
  const cleaned = raw
    .replace(/[\u00a0\u200b\u2000-\u200a\u3000]/g, ' ')
    .replace(/[›»«"'`<>()[\]{}|]/g, ' ')
    // Typos seen in the registry: `https;//x`, `https ://x`, `www. x. id`, `x .my.id`.
    .replace(/\b(https?)\s*[;:]\s*\/+/gi, '$1://')
    .replace(/\.\s+(?=[a-z0-9])/gi, '.')
    .replace(/(?<=[a-z0-9])\s+\./gi, '.');
  return cleaned
    .split(/[;,\s]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

function storeOf(candidate: string): DiscardReason | null {
  const lower = candidate.toLowerCase();
  if (/(?:^|\/\/)play\.google\.com\/store/.test(lower)) return 'play-store';
  if (/(?:^|\/\/)(?:apps|itunes)\.apple\.com\//.test(lower)) return 'app-store';
  return null;
}

function hostOf(candidate: string): string {
  // Only `scheme://` or a mistyped `http:/`: `host:port` must not be taken for a scheme.
  let rest = candidate.replace(/^(?:[a-z][a-z0-9+-]*:\/\/|https?:\/*)/i, '');
  // A leftover scheme in the middle (`x.com://x.com`) ends the host too.
  rest = rest.split(/[/?#\\]|:\/\//)[0];
  rest = rest.replace(/^[^@]*@/, '');
  if (rest.startsWith('[')) return rest;
  rest = rest.replace(/:\d*$/, '');
  return rest.replace(/^\.+|\.+$/g, '').toLowerCase();
}

function classify(candidate: string): { domain: string } | { reason: DiscardReason } {
  const store = storeOf(candidate);
  if (store) return { reason: store };
  if (BOGUS_WORDS.has(candidate.toLowerCase())) return { reason: 'bogus' };
  const hasScheme = /^[a-z][a-z0-9+-]*:\/\//i.test(candidate);
  if (!hasScheme && /^[^/]+@[^/]+\.[^/]+$/.test(candidate)) return { reason: 'email-address' };
  const host = hostOf(candidate);
  if (host.startsWith('[') || IPV4_RE.test(host)) return { reason: 'ip-address' };
  const withoutWww = host.replace(/^www\d*\./, '');
  if (BOGUS_HOSTS.has(withoutWww)) return { reason: 'bogus' };
  // The one host-name rule of the system (libs/domain/src/hostname): what the commands would refuse is
  // not a domain here either, so every imported case opens.
  const result = normaliseHostname(withoutWww);
  if ('refused' in result)
    return { reason: result.refused.rule === 'ip-address' ? 'ip-address' : 'not-a-domain' };
  const ascii = result.hostname;
  const labels = ascii.split('.');
  const tld = labels[labels.length - 1];
  if (!TLD_RE.test(tld)) return { reason: 'not-a-domain' };
  if (NON_PUBLIC_TLDS.has(tld)) return { reason: 'bogus' };
  return { domain: ascii };
}

/**
 * Turns the registry's free-text `website` field into domains: strips schemes, paths, ports and
 * `www.`, lower-cases, converts IDNs to punycode, splits on `;`, `,` and whitespace, and keeps
 * app-store links, IPs, e-mail addresses and bogus entries aside with a reason.
 */
export function normaliseDomains(raw: string): NormalisedDomains {
  const domains: string[] = [];
  const nonDomains: DiscardedAddress[] = [];
  for (const candidate of splitIntoCandidates(raw ?? '')) {
    const result = classify(candidate);
    if ('domain' in result) {
      if (!domains.includes(result.domain)) domains.push(result.domain);
    } else if (!nonDomains.some((n) => n.value === candidate)) {
      nonDomains.push({ value: candidate, reason: result.reason });
    }
  }
  return { domains, nonDomains };
}
