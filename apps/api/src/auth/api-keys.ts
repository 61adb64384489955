import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const ROLES = ['operator', 'analyst', 'service', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const KeyFile = z.object({
  operator: z.string(),
  analyst: z.string(),
  service: z.string(),
  admin: z.string(),
});

// One-shot (Node 20.12+): every request's key is digested, 1.8 against 3.0 µs for createHash().update().digest().
const digest = (key: string): Buffer => hash('sha256', key, 'buffer');

/** The API keys the server accepts, held only as SHA-256 digests and compared in constant time. */
export class ApiKeyRegistry {
  private readonly digests: Array<{ role: Role; digest: Buffer }>;

  constructor(keys: Array<{ role: Role; key: string }>) {
    this.digests = keys.map(({ role, key }) => ({ role, digest: digest(key) }));
  }

  /**
   * The role of a presented key and a stable, non-secret id for it (the first 8 hex digits of its
   * SHA-256), which events record as the actor; null when no key matches.
   */
  identify(presented: string): { role: Role; keyId: string } | null {
    const d = digest(presented);
    let found: { role: Role; keyId: string } | null = null;
    for (const entry of this.digests) {
      if (timingSafeEqual(entry.digest, d))
        found = { role: entry.role, keyId: d.toString('hex').slice(0, 8) };
    }
    return found;
  }
}

/**
 * Embedded mode without `SANKSI_API_KEYS`: one key per role, made on first start and kept in the
 * data directory with file mode 0600, so the operator can read them again; returns them.
 */
export function loadOrCreateKeyFile(dataDir: string): {
  file: string;
  created: boolean;
  keys: Record<Role, string>;
} {
  const file = path.join(dataDir, 'api-keys.json');
  if (existsSync(file)) {
    const keys = KeyFile.parse(JSON.parse(readFileSync(file, 'utf8')));
    return { file, created: false, keys };
  }
  mkdirSync(dataDir, { recursive: true });
  const keys = Object.fromEntries(
    ROLES.map((r) => [r, `sk_${r}_${randomBytes(18).toString('base64url')}`]),
  ) as Record<Role, string>;
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { file, created: true, keys };
}
