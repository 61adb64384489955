// The mutation run's score table and surviving mutants, as text.
// - As a StrykerJS reporter plugin (`reporters: ['clear-text-file']`, libs/domain/stryker.config.mjs): the
//   summary written to reports/mutation/mutation.txt (Stryker's own clear-text reporter only prints to the
//   console), next to the HTML and JSON reports.
// - As a script: `node tools/stryker-text-report.mjs [report.json …]` prints the same summary for one or
//   more JSON reports (default reports/mutation/mutation.json). A run split by file (`--mutate` per group)
//   leaves one report per group; given several, later reports are laid over earlier ones (a re-run of a few
//   lines after new specs replaces just the mutants it tested).
// Runtime and compile errors (a mutant that makes a module throw as it loads, e.g. invalid policy data
// rejected by its schema) are counted in their own column and left out of the score, as Stryker does.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginKind, declareClassPlugin } from '@stryker-mutator/api/plugin';

const FILE = 'reports/mutation/mutation.txt';
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const HEADER = [
  'File',
  '% score',
  '% covered',
  'killed',
  'timeout',
  'survived',
  'no cov',
  'errors',
  'ignored',
  'static',
];

function count(mutants) {
  const by = (status) => mutants.filter((m) => m.status === status).length;
  const killed = by('Killed');
  const timeout = by('Timeout');
  const survived = by('Survived');
  const noCoverage = by('NoCoverage');
  const detected = killed + timeout;
  return {
    score: detected / (detected + survived + noCoverage),
    covered: detected / (detected + survived),
    killed,
    timeout,
    survived,
    noCoverage,
    errors: by('RuntimeError') + by('CompileError'),
    ignored: by('Ignored'),
    static: mutants.filter((m) => m.static).length,
  };
}

function pct(value) {
  return Number.isNaN(value) ? 'n/a' : (value * 100).toFixed(2);
}

function row(cells, widths) {
  return cells
    .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
    .join(' | ');
}

/** The summary (score table, then every survived or uncovered mutant) of a mutation-testing report's files. */
export function summarise(files) {
  const names = Object.keys(files).sort();
  const lines = [
    ['All files', names.flatMap((n) => files[n].mutants)],
    ...names.map((n) => [n, files[n].mutants]),
  ].map(([name, mutants]) => {
    const c = count(mutants);
    return [
      name,
      pct(c.score),
      pct(c.covered),
      c.killed,
      c.timeout,
      c.survived,
      c.noCoverage,
      c.errors,
      c.ignored,
      c.static,
    ];
  });
  const widths = HEADER.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const out = [
    row(HEADER, widths),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...lines.map((l) => row(l, widths)),
  ];
  out.push('', 'Undetected mutants (survived or not covered):');
  for (const name of names) {
    const { source, mutants } = files[name];
    const sourceLines = source.split('\n');
    for (const mutant of [...mutants]
      .filter((m) => UNDETECTED.has(m.status))
      .sort(
        (a, b) =>
          a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column,
      )) {
      const { line, column } = mutant.location.start;
      out.push(
        `${name}:${line}:${column} ${mutant.status} ${mutant.mutatorName}${mutant.static ? ' (static)' : ''}`,
        `    ${sourceLines[line - 1]?.trim() ?? ''}`,
        `    → ${(mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 200)}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

const mutantKey = (m) =>
  `${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column} ${m.mutatorName} ${m.replacement}`;

/**
 * A file's result with a later report's laid over it. A later run of the same source (a re-run of some
 * lines, `--mutate file:10-20`, after new specs) replaces the mutants it tested and keeps the others; a
 * later run of a changed source replaces the file.
 */
function overlay(earlier, later) {
  if (!earlier || earlier.source !== later.source) return later;
  const retested = new Map(later.mutants.map((m) => [mutantKey(m), m]));
  return { ...earlier, mutants: earlier.mutants.map((m) => retested.get(mutantKey(m)) ?? m) };
}

class ClearTextFileReporter {
  static inject = [];

  onMutationTestReportReady(report) {
    mkdirSync(path.dirname(FILE), { recursive: true });
    writeFileSync(FILE, summarise(report.files));
  }
}

export const strykerPlugins = [
  declareClassPlugin(PluginKind.Reporter, 'clear-text-file', ClearTextFileReporter),
];

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const inputs = process.argv.slice(2);
  const files = {};
  for (const input of inputs.length > 0 ? inputs : ['reports/mutation/mutation.json']) {
    let report;
    try {
      report = JSON.parse(readFileSync(input, 'utf8'));
    } catch (error) {
      process.stderr.write(`stryker-text-report: cannot read ${input}: ${error.message}\n`);
      process.exit(2);
    }
    if (!report || typeof report.files !== 'object') {
      process.stderr.write(
        `stryker-text-report: ${input} is not a mutation-testing JSON report (no "files")\n`,
      );
      process.exit(2);
    }
    for (const [name, file] of Object.entries(report.files)) files[name] = overlay(files[name], file);
  }
  process.stdout.write(summarise(files));
}
