import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@sanksi/application';

// No YAML parser is installed: the compose file is kept plain (two-space indentation, one key per
// line) and read here by blocks, which is all these checks need.
const root = path.resolve(__dirname, '../../../..');
const compose = readFileSync(path.join(root, 'infra/compose.yaml'), 'utf8');
const dockerfile = readFileSync(path.join(root, 'infra/Dockerfile'), 'utf8');

/** What `npm start` would do about the registry (`tools/start.mjs --plan`: it decides, prints and stops). */
function startPlan(env: Record<string, string>, args: string[] = []): { import: boolean; store: string } {
  const run = spawnSync(process.execPath, [path.join(root, 'tools/start.mjs'), '--plan', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (run.status !== 0) throw new Error(`start.mjs --plan failed (${run.status}): ${run.stderr}`);
  const plan = JSON.parse(run.stdout) as { registryImport: { import: boolean; store: string } };
  return { import: plan.registryImport.import, store: plan.registryImport.store };
}

/** The lines of a top-level (`indent` 0) or service (`indent` 2) block, up to the next sibling. */
function block(name: string, indent: number, text = compose): string {
  const lines = text.split('\n');
  const pad = ' '.repeat(indent);
  const start = lines.findIndex((l) => l.startsWith(`${pad}${name}:`));
  if (start < 0) throw new Error(`no block ${name} at indent ${indent}`);
  const end = lines.findIndex(
    (l, i) => i > start && l.trim() !== '' && !l.trimStart().startsWith('#') && l.search(/\S/) <= indent,
  );
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** `KEY: value` pairs of a block (its own and nested lines alike). */
function settings(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^\s+([A-Z][A-Z0-9_]+): (.+)$/gm))
    out[m[1]] = m[2].trim().replace(/^'|'$/g, '');
  return out;
}

const services = block('services', 0);
const sanksiEnv = settings(block('x-sanksi-env', 0));

describe('infra/compose.yaml: the production-like deployment', () => {
  it('given the shared Sanksi settings, when loaded as the configuration, then they are valid and the API listens on every interface', () => {
    const env = { ...sanksiEnv, SANKSI_API_KEYS: 'operator:compose-check-key-0001' };

    const config = loadConfig(env);

    expect(config.host).toBe('0.0.0.0');
    expect(config.eventStore.kind).toBe('postgres');
    expect(config.kafka).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(config.kafka?.brokers).toHaveLength(3);
    expect(config.evidenceKeyFile).toBe('/run/secrets/evidence_signing_key');
  });

  it('given the Kafka nodes, then internal topics are replicated as the project topics are (3 copies, 2 in sync)', () => {
    const kafkaEnv = settings(block('x-kafka-env', 0));
    expect(kafkaEnv).toMatchObject({
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '3',
      KAFKA_DEFAULT_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    });
  });

  it.each([
    ['api', '3000'],
    ['worker', '3001'],
  ])(
    'given the %s service, then it has a readiness health check on its port and the shared evidence key',
    (name, port) => {
      const service = block(name, 2, services);

      expect(service).toContain('healthcheck:');
      expect(service).toContain(`http://127.0.0.1:${port}/health/ready`);
      expect(service).toMatch(/secrets: \[evidence_signing_key\]/);
      expect(service).toMatch(/volumes: \['sanksi-data:\/var\/lib\/sanksi'\]/);
    },
  );

  it('given the worker, then its health port is the one WORKER_PORT names, and the api runs no worker loops', () => {
    expect(settings(block('worker', 2, services))['WORKER_PORT']).toBe('3001');
    const api = block('api', 2, services);
    expect(settings(api)['SANKSI_WORKER']).toBe('none');
    expect(api).toMatch(/replicas: 2/);
  });

  it('given the evidence key, then it is one secret file mounted into every service that signs', () => {
    expect(block('secrets', 0)).toMatch(
      /evidence_signing_key:\n\s+file: \.\/secrets\/evidence-signing-key\.pem/,
    );
    expect(sanksiEnv['SANKSI_EVIDENCE_KEY']).toBe('/run/secrets/evidence_signing_key');
  });

  it('given the secrets directory, then git ignores the key made there and keeps only its README', () => {
    const ignored = (file: string) =>
      spawnSync('git', ['check-ignore', '--quiet', '--no-index', file], { cwd: root }).status;
    expect(ignored('infra/secrets/evidence-signing-key.pem')).toBe(0);
    expect(ignored('infra/secrets/another.key')).toBe(0);
    expect(ignored('infra/secrets/README.md')).toBe(1);
  });

  it('given the demo registry import, then it runs only under an explicit profile, never as part of a start', () => {
    const importer = block('registry-import', 2, services);
    expect(importer).toMatch(/profiles: \['demo-data'\]/);
    expect(importer).toMatch(/command:.*'import'/);
    for (const name of ['api', 'worker']) expect(block(name, 2, services)).not.toMatch(/command:.*'import'/);
  });
});

describe('infra/Dockerfile and tools/start.mjs', () => {
  it('given the image, then it runs as the unprivileged user with its data directory writable by that user', () => {
    expect(dockerfile).toMatch(/SANKSI_DATA_DIR=\/var\/lib\/sanksi/);
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
    expect(dockerfile).toMatch(/chown node:node \/var\/lib\/sanksi/);
    expect(dockerfile.indexOf('chown node:node')).toBeLessThan(dockerfile.indexOf('USER node'));
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('given npm start, then the registry is imported on the embedded store’s first run, and on a server store only with --import-registry or SANKSI_IMPORT_REGISTRY=1', () => {
    const data = mkdtempSync(path.join(tmpdir(), 'sanksi-start-plan-'));
    try {
      const postgres = { SANKSI_EVENT_STORE: 'postgres', DATABASE_URL: 'postgres://127.0.0.1/test' };
      // embedded: imported on the first run only, or when asked
      expect(startPlan({ SANKSI_DATA_DIR: data })).toEqual({ import: true, store: 'embedded' });
      writeFileSync(path.join(data, 'events.db'), '');
      expect(startPlan({ SANKSI_DATA_DIR: data })).toEqual({ import: false, store: 'embedded' });
      expect(startPlan({ SANKSI_DATA_DIR: data }, ['--import-registry'])).toEqual({
        import: true,
        store: 'embedded',
      });
      // a server store: never by itself, whatever the data directory holds
      rmSync(path.join(data, 'events.db'));
      expect(startPlan({ SANKSI_DATA_DIR: data, ...postgres })).toEqual({ import: false, store: 'server' });
      expect(startPlan({ SANKSI_DATA_DIR: data, ...postgres, SANKSI_IMPORT_REGISTRY: '0' })).toEqual({
        import: false,
        store: 'server',
      });
      expect(startPlan({ SANKSI_DATA_DIR: data, ...postgres }, ['--import-registry'])).toEqual({
        import: true,
        store: 'server',
      });
      expect(startPlan({ SANKSI_DATA_DIR: data, ...postgres, SANKSI_IMPORT_REGISTRY: '1' })).toEqual({
        import: true,
        store: 'server',
      });
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
