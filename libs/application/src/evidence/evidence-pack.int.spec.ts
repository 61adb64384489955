import { generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { temporaryDirectory, type TemporaryDirectory } from '@sanksi/testing';
import { decide, getPolicy, type PseCaseEventEnvelope, type PseCaseCommand, foldCase } from '@sanksi/domain';
import {
  buildEvidencePack,
  configuredEvidencePublicKey,
  evidencePublicKey,
  evidenceSignedBytes,
  loadOrCreateSigningKey,
  parseEd25519PublicKey,
  verifyEvidencePack,
} from './evidence-pack';
import { ConfigurationInvalid, loadConfig } from '../config/sanksi-config';
import { createRuntime } from '../runtime/sanksi-runtime';

function history(): PseCaseEventEnvelope[] {
  const commands: Array<[PseCaseCommand, string]> = [
    [
      {
        type: 'IdentifyPse',
        pseId: 'steam',
        name: 'Steam',
        origin: 'foreign',
        domains: ['steampowered.com'],
        company: 'Valve',
        sector: null,
      },
      '2022-07-21T10:00:00+07:00',
    ],
    [{ type: 'IssueWarning', pseId: 'steam', letterNumber: 'B-7/2022' }, '2022-07-23T10:00:00+07:00'],
  ];
  const events: PseCaseEventEnvelope[] = [];
  commands.forEach(([command, at], i) => {
    const d = decide(command, events.length ? foldCase(events) : undefined, getPolicy('kominfo-2022'), {
      commandId: `c${i}`,
      correlationId: `c${i}`,
      actor: { id: 'op', role: 'operator' },
      now: at,
    });
    if (!d.ok) throw d.error;
    events.push(...d.events);
  });
  return events;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('evidence packs', () => {
  let dir: TemporaryDirectory;
  beforeEach(() => (dir = temporaryDirectory('sanksi-evidence')));
  afterEach(() => dir.remove());

  /** The issuer's key, a genuine pack of its as a file would hold it, and the key to trust. */
  const issue = () => {
    const issuer = loadOrCreateSigningKey(path.join(dir.path, 'issuer.pem'));
    const pack: Json = JSON.parse(
      JSON.stringify(buildEvidencePack('steam', history(), issuer, '2022-08-01T00:00:00Z')),
    );
    return { issuer, pack, trusted: { trustedPublicKey: evidencePublicKey(issuer) } };
  };
  const copy = (pack: Json): Json => JSON.parse(JSON.stringify(pack));
  /** Signs a pack's content as it now stands, with any key, naming that key's public half. */
  const resign = (pack: Json, privateKey: ReturnType<typeof loadOrCreateSigningKey>, publicKey: string) => {
    const body = copy(pack);
    body.signature.publicKey = publicKey;
    body.signature.value = sign(
      privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256',
      evidenceSignedBytes(body),
      privateKey,
    ).toString('base64');
    return body;
  };

  it('given a signing key file, when none exists, then one is made with mode 0600 and reused', () => {
    const file = path.join(dir.path, 'key.pem');
    expect(configuredEvidencePublicKey(file)).toBeNull();
    const a = loadOrCreateSigningKey(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const b = loadOrCreateSigningKey(file);
    expect(a.export({ format: 'pem', type: 'pkcs8' })).toEqual(b.export({ format: 'pem', type: 'pkcs8' }));
    expect(configuredEvidencePublicKey(file)).toBe(evidencePublicKey(a));
  });

  it('given SANKSI_EVIDENCE_KEY naming a missing file, when the key is loaded, then it is refused by name and none is made', () => {
    const file = path.join(dir.path, 'gone', 'key.pem');
    const refusal = (() => {
      try {
        loadOrCreateSigningKey(file, { create: false });
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(ConfigurationInvalid);
    expect((refusal as ConfigurationInvalid).problems).toEqual([
      {
        variable: 'SANKSI_EVIDENCE_KEY',
        message: expect.stringContaining(`names ${file}, which does not exist`),
      },
    ]);
    expect(() => configuredEvidencePublicKey(file, { required: true })).toThrow(ConfigurationInvalid);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(path.dirname(file))).toBe(false);
  });

  it('given SANKSI_EVIDENCE_KEY naming a missing file, when a runtime is created, then it refuses before opening a store', async () => {
    const file = path.join(dir.path, 'missing.pem');
    const config = loadConfig({ SANKSI_DATA_DIR: path.join(dir.path, 'data'), SANKSI_EVIDENCE_KEY: file });
    expect(config.evidenceKeyConfigured).toBe(true);
    await expect(createRuntime(config)).rejects.toThrow(
      /SANKSI_EVIDENCE_KEY names .*missing\.pem, which does not exist/,
    );
    expect(existsSync(path.join(dir.path, 'data'))).toBe(false);
    expect(loadConfig({ SANKSI_DATA_DIR: path.join(dir.path, 'data') }).evidenceKeyConfigured).toBe(false);
  });

  it('given a genuine pack, when verified against the issuer key, then it is VALID from the file alone', () => {
    const { pack, trusted, issuer } = issue();
    expect(verifyEvidencePack(pack, trusted)).toEqual({
      ok: true,
      pseId: 'steam',
      eventCount: 2,
      headHash: pack.events[1].hash,
      publicKey: evidencePublicKey(issuer),
    });
  });

  it('given a genuine pack, when no key is trusted, then the signature is valid but the pack is not VALID', () => {
    const { pack } = issue();
    for (const options of [{}, { trustedPublicKey: null }]) {
      expect(verifyEvidencePack(pack, options)).toMatchObject({
        ok: false,
        reason: 'untrusted-key',
        signatureValid: true,
        detail: expect.stringContaining('signature valid but key not trusted'),
      });
    }
  });

  it('given a field added inside an event, then it is refused as unsigned content naming where', () => {
    const { pack, trusted } = issue();
    const tampered = copy(pack);
    tampered.events[1].data.note = 'content nobody signed';
    expect(verifyEvidencePack(tampered, trusted)).toEqual({
      ok: false,
      reason: 'unknown-field',
      signatureValid: false,
      detail: 'events[1].data.note is not part of the evidence format (content outside what was signed)',
    });
  });

  it.each([
    ['in the envelope', (p: Json) => (p.events[0].comment = 'x'), 'events[0].comment'],
    ['in the state after', (p: Json) => (p.events[0].state.extra = 1), 'events[0].state.extra'],
    ['in the actor', (p: Json) => (p.events[1].actor.badge = 7), 'events[1].actor.badge'],
  ])('given a field added %s, then it is refused as unknown', (_where, tamper, path) => {
    const { pack, trusted } = issue();
    const tampered = copy(pack);
    tamper(tampered);
    expect(verifyEvidencePack(tampered, trusted)).toMatchObject({
      ok: false,
      reason: 'unknown-field',
      detail: expect.stringContaining(`${path} is not part of the evidence format`),
    });
  });

  it('given a __proto__ member in the file, then it is refused as unknown, not swallowed', () => {
    const { pack, trusted } = issue();
    const text = JSON.stringify(pack).replace('"data":{', '"data":{"__proto__":{"polluted":true},');
    expect(verifyEvidencePack(JSON.parse(text), trusted)).toMatchObject({
      ok: false,
      reason: 'unknown-field',
      detail: expect.stringContaining('events[0].data.__proto__'),
    });
  });

  it('given a field added at the top or in the signature, then the strict format refuses it', () => {
    const { pack, trusted } = issue();
    const top = { ...copy(pack), note: 'x' };
    expect(verifyEvidencePack(top, trusted)).toMatchObject({ ok: false, reason: 'malformed' });
    const sig = copy(pack);
    sig.signature.comment = 'x';
    expect(verifyEvidencePack(sig, trusted)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('given a changed field in an event, then the hash chain names the event', () => {
    const { pack, trusted } = issue();
    const tampered = copy(pack);
    tampered.events[1].data.letterNumber = 'B-8/2022';
    expect(verifyEvidencePack(tampered, trusted)).toEqual({
      ok: false,
      reason: 'broken-chain',
      signatureValid: false,
      detail: `event 1 (${pack.events[1].eventId}): its content does not match its hash (changed after it was recorded)`,
    });
  });

  it('given reordered events, then the hash chain is broken at the first', () => {
    const { pack, trusted } = issue();
    const tampered = copy(pack);
    tampered.events.reverse();
    expect(verifyEvidencePack(tampered, trusted)).toMatchObject({
      ok: false,
      reason: 'broken-chain',
      detail: expect.stringMatching(/^event 0 .*prevHash is not the hash of the event before it/),
    });
  });

  it('given a removed event, then the count, the chain or the head says so', () => {
    const { pack, trusted } = issue();
    const dropped = copy(pack);
    dropped.events.pop();
    expect(verifyEvidencePack(dropped, trusted)).toMatchObject({
      ok: false,
      reason: 'count-mismatch',
      detail: 'the pack holds 1 event(s), its header says 2',
    });
    dropped.eventCount = 1;
    expect(verifyEvidencePack(dropped, trusted)).toMatchObject({ ok: false, reason: 'head-mismatch' });
    const first = copy(pack);
    first.events.shift();
    first.eventCount = 1;
    expect(verifyEvidencePack(first, trusted)).toMatchObject({
      ok: false,
      reason: 'broken-chain',
      detail: expect.stringMatching(/^event 0 /),
    });
  });

  it('given a changed header, then the signature does not match', () => {
    const { pack, trusted } = issue();
    const tampered = copy(pack);
    tampered.exportedAt = '2030-01-01T00:00:00Z';
    expect(verifyEvidencePack(tampered, trusted)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('given the key swapped for another Ed25519 key, then the signature does not match', () => {
    const { pack, trusted } = issue();
    const other = loadOrCreateSigningKey(path.join(dir.path, 'other.pem'));
    const swapped = copy(pack);
    swapped.signature.publicKey = evidencePublicKey(other);
    expect(verifyEvidencePack(swapped, trusted)).toMatchObject({ ok: false, reason: 'bad-signature' });
    // Even pinned to the swapped-in key: the signature still has to match.
    expect(verifyEvidencePack(swapped, { trustedPublicKey: evidencePublicKey(other) })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it.each([
    ['RSA', () => generateKeyPairSync('rsa', { modulusLength: 2048 }), 'RSA'],
    ['EC', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'EC'],
  ])('given a pack signed with an %s key, then the key type is refused', (_name, keys, type) => {
    const { pack } = issue();
    const { privateKey, publicKey } = keys();
    const spki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const forged = resign(pack, privateKey, spki);
    for (const options of [{}, { trustedPublicKey: spki }]) {
      expect(verifyEvidencePack(forged, options)).toEqual({
        ok: false,
        reason: 'wrong-key-type',
        signatureValid: false,
        detail: `signature.publicKey: the key is ${type}, not Ed25519: evidence packs are signed with Ed25519 keys only`,
      });
    }
    expect(parseEd25519PublicKey(spki)).toMatchObject({ ok: false });
    expect(() => buildEvidencePack('steam', history(), privateKey, '2022-08-01T00:00:00Z')).toThrow(
      /Ed25519 keys only/,
    );
  });

  it('given a self-signed pack by another key, then the signature is valid but the key is not trusted', () => {
    const { pack, trusted, issuer } = issue();
    const other = loadOrCreateSigningKey(path.join(dir.path, 'other.pem'));
    const selfSigned = copy(
      buildEvidencePack('steam', history(), other, '2022-08-01T00:00:00Z') as unknown as Json,
    );
    expect(verifyEvidencePack(selfSigned, trusted)).toEqual({
      ok: false,
      reason: 'untrusted-key',
      signatureValid: true,
      detail: `signature valid but key not trusted: the pack is signed by ${evidencePublicKey(other)}, not by the trusted key ${evidencePublicKey(issuer)}`,
    });
    // The same content re-signed by another key, content untouched: still only untrusted.
    expect(verifyEvidencePack(resign(pack, other, evidencePublicKey(other)), trusted)).toMatchObject({
      reason: 'untrusted-key',
    });
  });

  it('given a pack re-signed by someone else after tampering, then the broken hash chain is named', () => {
    const events = history();
    events[1] = { ...events[1], data: { ...events[1].data, letterNumber: 'forged' } } as PseCaseEventEnvelope;
    const forged = buildEvidencePack(
      'steam',
      events,
      loadOrCreateSigningKey(path.join(dir.path, 'other.pem')),
      '2022-08-01T00:00:00Z',
    );
    expect(verifyEvidencePack(JSON.parse(JSON.stringify(forged)))).toMatchObject({
      ok: false,
      reason: 'broken-chain',
    });
  });

  it('given an unusable trusted key, then nothing verifies against it', () => {
    const { pack } = issue();
    expect(verifyEvidencePack(pack, { trustedPublicKey: 'AAAA' })).toMatchObject({
      ok: false,
      reason: 'untrusted-key',
      detail: expect.stringContaining('the trusted key is unusable'),
    });
  });

  it('given something that is not a pack, then it is reported as malformed', () => {
    expect(verifyEvidencePack({ hello: 'world' })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyEvidencePack(null)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
