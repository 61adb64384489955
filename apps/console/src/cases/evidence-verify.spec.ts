/** @jest-environment node */
import { generateKeyPairSync, sign, webcrypto } from 'node:crypto';
import type { EvidencePack } from '../api/sanksi-api';
import { canonicalJson, verifyEvidence } from './evidence-verify';
import { createHash } from 'node:crypto';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** A pack built as the server builds it (canonical JSON, SHA-256 chain, Ed25519 over the rest). */
function signedPack(): { pack: EvidencePack; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const events: Array<Record<string, unknown>> = [];
  let prev: string | null = null;
  for (const [i, type] of ['PseIdentified', 'WarningIssued'].entries()) {
    const body: Record<string, unknown> = {
      eventId: `e${i}`,
      type,
      revision: i,
      prevHash: prev,
      data: { n: i, z: undefined },
    };
    const hash = sha(canonicalJson(body));
    events.push({ ...body, hash });
    prev = hash;
  }
  const body = {
    format: 'sanksi-evidence/v1',
    pseId: 'shop',
    exportedAt: 'x',
    eventCount: 2,
    headHash: prev,
    events,
  };
  const value = sign(null, Buffer.from(canonicalJson(body)), privateKey).toString('base64');
  return {
    pack: { ...body, signature: { algorithm: 'Ed25519', publicKey: spki, value } } as unknown as EvidencePack,
    publicKey: spki,
  };
}

describe('evidence packs verified in the browser', () => {
  const subtle = webcrypto.subtle as unknown as SubtleCrypto;

  it('given a pack as the server signs it and the server’s key, then it is valid', async () => {
    const { pack, publicKey } = signedPack();
    expect(await verifyEvidence(pack, publicKey, subtle)).toMatchObject({
      ok: true,
      failure: null,
      events: 2,
    });
  });

  it('given a changed event, a broken chain, a changed field or another signer, then it is not valid and says which check failed', async () => {
    const tampered = signedPack();
    (tampered.pack.events[1].data as Record<string, unknown>).n = 9;
    expect((await verifyEvidence(tampered.pack, tampered.publicKey, subtle)).failure).toContain(
      'event 2 (WarningIssued): its hash',
    );

    const resigned = signedPack();
    resigned.pack.exportedAt = 'later';
    expect((await verifyEvidence(resigned.pack, resigned.publicKey, subtle)).failure).toBe(
      'the signature does not match the pack',
    );

    const other = signedPack();
    expect((await verifyEvidence(other.pack, signedPack().publicKey, subtle)).failure).toBe(
      "the pack is signed by another key than the server's",
    );
  });
});
