import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Records a reliability spec's figures: one line on stdout, and (under `npm run test:reliability`, which
 * sets SANKSI_RELIABILITY_FIGURES) a JSON file the runner prints in its figures table.
 */
export function recordReliabilityFigures(test: string, figures: Record<string, number | string>): void {
  const profile = process.env['SANKSI_RELIABILITY_FULL'] === '1' ? 'full' : 'quick';
  process.stdout.write(`reliability figures ${test}: ${JSON.stringify(figures)}\n`);
  const dir = process.env['SANKSI_RELIABILITY_FIGURES'];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `${test.replace(/[^a-z0-9-]+/gi, '-')}.json`),
    JSON.stringify({ test, profile, ...figures }),
  );
}
