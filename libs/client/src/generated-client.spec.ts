import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const generator = path.join(root, 'libs', 'client', 'tools', 'generate-client.mjs');

describe('the generated client sources', () => {
  it('given the committed docs/openapi.json, when generated again, then the committed files are the same', () => {
    // given / when
    const run = spawnSync(process.execPath, [generator, '--print'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const fresh = JSON.parse(run.stdout) as Record<string, string>;
    // then
    expect(
      Object.keys(fresh)
        .map((f) => path.relative(root, f))
        .sort(),
    ).toEqual(['libs/client/src/generated/openapi.ts', 'libs/client/src/generated/operations.ts']);
    const stale = Object.entries(fresh)
      .filter(([file, source]) => readFileSync(file, 'utf8') !== source)
      .map(([file]) => path.relative(root, file));
    if (stale.length > 0)
      throw new Error(
        `${stale.join(' and ')} ${stale.length > 1 ? 'are' : 'is'} stale relative to docs/openapi.json: ` +
          'run `npm run client:generate` and commit the result with your API change',
      );
  });
});
