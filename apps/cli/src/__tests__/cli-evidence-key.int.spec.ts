import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { evidenceSignedBytes } from '@sanksi/application';
import path from 'node:path';
import { runCli, tempDir, writeRegistryFixture } from './cli-process.fixture';

jest.setTimeout(120_000);

describe('sanksi evidence with a pinned key', () => {
  const issuer = tempDir('issuer');
  const other = tempDir('other');
  afterAll(() => {
    issuer.cleanup();
    other.cleanup();
  });

  it('given packs from two installations, when verified against the issuer key, then only the issuer’s pack is valid', () => {
    const packs: string[] = [];
    for (const { dir } of [issuer, other]) {
      const env = { SANKSI_DATA_DIR: dir };
      const files = writeRegistryFixture(dir);
      expect(
        runCli(['import', '--snapshot', files.snapshot, '--changes', files.changes, '--json'], env).code,
      ).toBe(0);
      const file = path.join(dir, 'pack.json');
      expect(runCli(['evidence', 'export', 'reg-1', '--out', file], env).code).toBe(0);
      packs.push(file);
    }
    const key = runCli(['evidence', 'public-key'], { SANKSI_DATA_DIR: issuer.dir }).stdout.trim();
    expect(key).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(JSON.parse(readFileSync(packs[0], 'utf8')).signature.publicKey).toBe(key);
    const ok = runCli(['evidence', 'verify', packs[0], '--public-key', key, '--json'], {});
    expect(ok.code).toBe(0);
    const refused = runCli(['evidence', 'verify', packs[1], '--public-key', key, '--json'], {});
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      ok: false,
      reason: 'untrusted-key',
      signatureValid: true,
    });
    // The other installation trusts its own key by default, and so refuses the issuer's pack.
    const foreign = runCli(['evidence', 'verify', packs[0]], { SANKSI_DATA_DIR: other.dir });
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toContain('INVALID (untrusted-key): signature valid but key not trusted');
    expect(runCli(['evidence', 'verify', packs[0], '--public-key', 'not base64!'], {}).code).toBe(2);
    // An RSA key is no evidence key, neither pinned nor in a pack.
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaPublic = rsa.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const pinnedRsa = runCli(['evidence', 'verify', packs[0], '--public-key', rsaPublic], {});
    expect(pinnedRsa.code).toBe(2);
    expect(pinnedRsa.stderr).toContain('the key is RSA, not Ed25519');
    const pack = JSON.parse(readFileSync(packs[0], 'utf8'));
    pack.signature.publicKey = rsaPublic;
    pack.signature.value = sign('sha256', evidenceSignedBytes(pack), rsa.privateKey).toString('base64');
    const rsaFile = path.join(other.dir, 'rsa-pack.json');
    writeFileSync(rsaFile, JSON.stringify(pack));
    const rsaPack = runCli(['evidence', 'verify', rsaFile, '--public-key', key], {});
    expect(rsaPack.code).toBe(1);
    expect(rsaPack.stdout).toContain('INVALID (wrong-key-type): signature.publicKey: the key is RSA');
  });
});
