// `npm run bench [-- name...]`: runs every compiled `*.bench.js` beside this file (or the named
// ones) in one process, one after another, so every ratio compares figures from the same run.
import { readdirSync } from 'node:fs';
import path from 'node:path';

interface BenchModule {
  run(): Promise<void>;
}

/** Lists the benchmark modules available in this build, by name (`fold`, `event-store`, ...). */
export function availableBenches(dir: string = __dirname): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bench.js'))
    .map((f) => f.slice(0, -'.bench.js'.length))
    .sort();
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const available = availableBenches();
  const unknown = wanted.filter((w) => !available.includes(w));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
    process.exit(2);
  }
  const names = wanted.length > 0 ? wanted : available;
  console.log(`sanksi bench — ${new Date().toISOString()} — node ${process.version} — ${names.join(', ')}`);
  for (const name of names) {
    console.log(`\n## ${name}`);
    const mod = require(path.join(__dirname, `${name}.bench.js`)) as BenchModule;
    await mod.run();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
