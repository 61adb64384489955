import { statSync } from 'node:fs';
import path from 'node:path';
import { temporaryDirectory, type TemporaryDirectory } from '@sanksi/testing';
import { decide, getPolicy, type PseCaseEventEnvelope, type PseCaseCommand, foldCase } from '@sanksi/domain';
import {
  buildEvidencePack,
  evidencePublicKey,
  loadOrCreateSigningKey,
  verifyEvidencePack,
} from './evidence-pack';

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

describe('evidence packs', () => {
  let dir: TemporaryDirectory;
  beforeEach(() => (dir = temporaryDirectory('sanksi-evidence')));
  afterEach(() => dir.remove());

  it('given a signing key file, when none exists, then one is made with mode 0600 and reused', () => {
    const file = path.join(dir.path, 'key.pem');
    const a = loadOrCreateSigningKey(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const b = loadOrCreateSigningKey(file);
    expect(a.export({ format: 'pem', type: 'pkcs8' })).toEqual(b.export({ format: 'pem', type: 'pkcs8' }));
  });

  it('given an exported pack, then it verifies offline from its content alone', () => {
    const pack = buildEvidencePack(
      'steam',
      history(),
      loadOrCreateSigningKey(path.join(dir.path, 'k.pem')),
      '2022-08-01T00:00:00Z',
    );
    const roundTripped = JSON.parse(JSON.stringify(pack));
    expect(verifyEvidencePack(roundTripped)).toMatchObject({ ok: true, pseId: 'steam', eventCount: 2 });
  });

  it('given a tampered event, then verification fails and says why', () => {
    const pack = buildEvidencePack(
      'steam',
      history(),
      loadOrCreateSigningKey(path.join(dir.path, 'k.pem')),
      '2022-08-01T00:00:00Z',
    );
    const tampered = JSON.parse(JSON.stringify(pack));
    tampered.events[1].data.letterNumber = 'B-8/2022';
    expect(verifyEvidencePack(tampered)).toMatchObject({ ok: false, reason: 'bad-signature' });
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

  it('given a pinned trusted key, then a pack signed by another key is refused as untrusted', () => {
    const issuer = loadOrCreateSigningKey(path.join(dir.path, 'issuer.pem'));
    const pack = JSON.parse(
      JSON.stringify(buildEvidencePack('steam', history(), issuer, '2022-08-01T00:00:00Z')),
    );
    expect(verifyEvidencePack(pack, { trustedPublicKey: evidencePublicKey(issuer) })).toMatchObject({
      ok: true,
    });
    const other = loadOrCreateSigningKey(path.join(dir.path, 'other.pem'));
    const forged = JSON.parse(
      JSON.stringify(buildEvidencePack('steam', history(), other, '2022-08-01T00:00:00Z')),
    );
    expect(verifyEvidencePack(forged, { trustedPublicKey: evidencePublicKey(issuer) })).toMatchObject({
      ok: false,
      reason: 'untrusted-key',
    });
  });

  it('given something that is not a pack, then it is reported as malformed', () => {
    expect(verifyEvidencePack({ hello: 'world' })).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
