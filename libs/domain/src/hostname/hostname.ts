import { domainToASCII } from 'node:url';
import { parse as parseDomain } from 'tldts';
import { z } from 'zod';

/** The longest host name in text form without the trailing dot (255 octets on the wire, RFC 1035 §2.3.4). */
export const HOSTNAME_MAX_LENGTH = 253;
/** The longest label (RFC 1035 §2.3.4). */
export const LABEL_MAX_LENGTH = 63;

/** Which rule a name broke (docs/architecture.md, "What a domain may be"). */
export type HostnameRule =
  | 'empty'
  | 'too-long'
  | 'characters'
  | 'wildcard'
  | 'idna'
  | 'empty-label'
  | 'label-too-long'
  | 'hyphen-edge'
  | 'reserved-hyphens'
  | 'ip-address'
  | 'numeric-tld'
  | 'single-label'
  | 'public-suffix';

/** Why a name is not a host name that may be blocked: the rule, and a sentence naming it and what is allowed. */
export interface HostnameRefusal {
  readonly rule: HostnameRule;
  readonly message: string;
}

/** A host name in its stored form (lower-case A-labels, no trailing dot), or why it is not one. */
export type HostnameResult = { readonly hostname: string } | { readonly refused: HostnameRefusal };

// Longer raw input is not worth converting: even all A-labels could not fit in 253 characters.
const RAW_MAX_LENGTH = 1024;
const LDH_LABEL = /^[a-z0-9-]+$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
// Controls, separators (spaces) and invisible format characters never belong in a name, even before IDNA
// mapping would silently drop or rewrite some of them.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}]/u;
const ASCII_NOT_ALLOWED = /[^A-Za-z0-9.-]/;
// Nearly every name given is already letters, digits, dots and hyphens: one test instead of two regular
// expressions a character (2.7–3.2 → 0.9–1.3 µs a name; an opened case checks each of its names three times).
const PLAIN = /^[A-Za-z0-9.-]+$/;
const ASCII_ONLY = /^[\p{ASCII}]*$/u;

const refused = (rule: HostnameRule, message: string): HostnameResult =>
  Object.freeze({ refused: Object.freeze({ rule, message }) });

/** A character as a reader can see it in a message: control and invisible characters spelled out. */
function shown(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  return INVISIBLE.test(character) || code > 0x7e
    ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
    : `"${character}"`;
}

/** A name quoted in a message, cut short and with nothing in it that could break a log line or terminal. */
function quoted(name: string): string {
  const cut = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  return JSON.stringify(cut).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function characterRule(name: string): HostnameResult | null {
  if (name.includes('*')) {
    return refused(
      'wildcard',
      `a wildcard (*) is not a domain name: give the name itself (a block covers its subdomains in the RPZ export)`,
    );
  }
  const bad = [...name].find((c) => INVISIBLE.test(c) || (c <= '\u007f' && ASCII_NOT_ALLOWED.test(c)));
  if (bad === undefined) return null;
  const hint = /[/:@?#]/.test(bad) ? ' (give the host name alone, not a URL, port or e-mail address)' : '';
  return refused(
    'characters',
    `characters outside letters, digits and hyphen are not allowed in a domain name: ${shown(bad)} in ${quoted(name)}${hint}`,
  );
}

function labelRule(label: string, name: string): HostnameResult | null {
  if (label === '') {
    return refused('empty-label', `empty label (two dots in a row, or a leading dot) in ${quoted(name)}`);
  }
  if (label.length > LABEL_MAX_LENGTH) {
    return refused(
      'label-too-long',
      `label longer than ${LABEL_MAX_LENGTH} characters (${label.length}) in ${quoted(name)}`,
    );
  }
  if (!LDH_LABEL.test(label)) {
    return refused('characters', `characters outside letters, digits and hyphen in ${quoted(name)}`);
  }
  if (label.startsWith('-') || label.endsWith('-')) {
    return refused('hyphen-edge', `label starting or ending with a hyphen (${label}) in ${quoted(name)}`);
  }
  // RFC 5891 §4.2.3.1: hyphens in the 3rd and 4th positions are reserved for A-labels (`xn--`).
  if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) {
    return refused(
      'reserved-hyphens',
      `label ${label} has hyphens in the 3rd and 4th positions, reserved for A-labels (xn--, RFC 5891)`,
    );
  }
  return null;
}

/**
 * The one host-name rule of the system (commands over HTTP, CLI and Kafka, the registry import, the
 * blocklist renderers): `name` as a lower-case A-label name without the trailing dot (Unicode names go
 * through IDNA), or the rule it breaks — characters outside letters, digits and hyphen, empty or overlong
 * labels (RFC 1035), reserved hyphens and invalid A-labels (RFC 5891), more than 253 characters, an IP
 * address, a single label, or a public suffix alone (`com`, `co.id`: blocking it would block a whole zone).
 */
export function normaliseHostname(name: string): HostnameResult {
  if (typeof name !== 'string' || name === '') return refused('empty', 'an empty name is not a domain name');
  if (name.length > RAW_MAX_LENGTH) {
    return refused('too-long', `longer than ${HOSTNAME_MAX_LENGTH} characters (${name.length})`);
  }
  // A new fact's name is judged three times on its way in (the edge's schema refines, then overwrites, then
  // `decide` checks it itself): the rule is pure, so the latest answers are kept, frozen (2.6 µs a name
  // judged on this project's machines). Bounded like the canonical JSON's key caches.
  const known = recentNames.get(name);
  if (known !== undefined) return known;
  const result = judgeHostname(name);
  if (recentNames.size >= RECENT_NAMES_MAX) recentNames.clear();
  recentNames.set(name, result);
  return result;
}

// The names most recently judged and their answers (see `normaliseHostname`).
const recentNames = new Map<string, HostnameResult>();
const RECENT_NAMES_MAX = 1024;

function judgeHostname(name: string): HostnameResult {
  const plain = PLAIN.test(name);
  const badCharacters = plain ? null : characterRule(name);
  if (badCharacters) return badCharacters;
  const converted = plain || ASCII_ONLY.test(name) ? name.toLowerCase() : domainToASCII(name);
  if (converted === '') {
    return refused('idna', `not a valid internationalised domain name (IDNA): ${quoted(name)}`);
  }
  const ascii = converted.endsWith('.') ? converted.slice(0, -1) : converted;
  if (ascii === '') return refused('empty', 'an empty name is not a domain name');
  for (const label of ascii.split('.')) {
    const broken = labelRule(label, name);
    if (broken) return broken;
    // An A-label must decode (RFC 5891 §5.4): Node's IDNA refuses malformed punycode with an empty name.
    if (label.startsWith('xn--') && domainToASCII(label) !== label) {
      return refused('idna', `label ${label} is not a valid A-label (IDNA) in ${quoted(name)}`);
    }
  }
  if (ascii.length > HOSTNAME_MAX_LENGTH) {
    return refused(
      'too-long',
      `longer than ${HOSTNAME_MAX_LENGTH} characters (${ascii.length}) in A-label form`,
    );
  }
  if (IPV4.test(ascii)) {
    return refused('ip-address', `an IP address (${ascii}) is not a domain name: only names are blocked`);
  }
  const labels = ascii.split('.');
  const tld = labels[labels.length - 1];
  // RFC 3696 §2: a top-level label is never all digits, so such a name cannot resolve.
  if (/^\d+$/.test(tld)) {
    return refused('numeric-tld', `the top-level label of ${quoted(ascii)} is all digits`);
  }
  // ICANN suffixes only: a private-section suffix (github.io, blogspot.com) is one operator's own domain.
  const parsed = parseDomain(ascii, { allowPrivateDomains: false });
  if (parsed.isIcann === true && parsed.publicSuffix === ascii) {
    return refused(
      'public-suffix',
      `a public suffix alone (${ascii}) cannot be blocked: it would block every domain under it`,
    );
  }
  if (labels.length === 1) {
    return refused(
      'single-label',
      `a single label (${ascii}) is not a domain name that can be blocked: give the full name, e.g. paypal.com`,
    );
  }
  return Object.freeze({ hostname: ascii });
}

/** Whether `name` is already a host name in its stored form (what a renderer may write as it is). */
export function isStoredHostname(name: string): boolean {
  const result = normaliseHostname(name);
  return 'hostname' in result && result.hostname === name;
}

/**
 * A domain of a new fact (command payloads, HTTP bodies): refused with the rule's message, otherwise
 * turned into its stored form. Stored events keep a tolerant schema (pse-case.events.ts).
 */
export const Hostname = z
  .string()
  .superRefine((value, ctx) => {
    const result = normaliseHostname(value);
    if ('refused' in result) ctx.addIssue({ code: 'custom', message: result.refused.message });
  })
  .overwrite((value) => {
    const result = normaliseHostname(value);
    return 'hostname' in result ? result.hostname : value;
  })
  .meta({
    description:
      'A host name (letters, digits, hyphens; Unicode names become A-labels), at most 253 characters, not a public suffix alone',
    example: 'paypal.com',
  });
