// A StrykerJS reporter plugin (`reporters: ['clear-text-file']`): the clear-text summary written to a file
// (Stryker's own clear-text reporter only prints to the console), so a run leaves its score table and its
// surviving mutants next to the HTML and JSON reports. Used by libs/domain/stryker.config.mjs.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PluginKind, declareClassPlugin } from '@stryker-mutator/api/plugin';

const FILE = 'reports/mutation/mutation.txt';
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

function pct(value) {
  return Number.isNaN(value) ? 'n/a' : value.toFixed(2);
}

function row(cells, widths) {
  return cells
    .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
    .join(' | ');
}

function files(result, prefix = '') {
  const name = prefix ? `${prefix}/${result.name}` : result.name;
  if (result.file) return [{ name, result }];
  return result.childResults.flatMap((child) => files(child, result.name === 'All files' ? '' : name));
}

class ClearTextFileReporter {
  static inject = [];

  onMutationTestReportReady(_report, metrics) {
    const all = metrics.systemUnderTestMetrics;
    const header = ['File', '% score', '% covered', 'killed', 'timeout', 'survived', 'no cov', 'errors'];
    const lines = [[`All files`, all], ...files(all).map(({ name, result }) => [name, result])].map(
      ([name, { metrics: m }]) => [
        name,
        pct(m.mutationScore),
        pct(m.mutationScoreBasedOnCoveredCode),
        m.killed,
        m.timeout,
        m.survived,
        m.noCoverage,
        m.runtimeErrors + m.compileErrors,
      ],
    );
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
    const out = [
      row(header, widths),
      widths.map((w) => '-'.repeat(w)).join('-|-'),
      ...lines.map((l) => row(l, widths)),
    ];
    out.push('', 'Undetected mutants (survived or not covered):');
    for (const { name, result } of files(all)) {
      for (const mutant of result.file.mutants.filter((m) => UNDETECTED.has(m.status))) {
        const { line, column } = mutant.location.start;
        const original = result.file.source.split('\n')[line - 1]?.trim() ?? '';
        out.push(
          `${name}:${line}:${column} ${mutant.status} ${mutant.mutatorName}${mutant.static ? ' (static)' : ''}`,
          `    ${original}`,
          `    → ${(mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 200)}`,
        );
      }
    }
    mkdirSync(path.dirname(FILE), { recursive: true });
    writeFileSync(FILE, `${out.join('\n')}\n`);
  }
}

export const strykerPlugins = [
  declareClassPlugin(PluginKind.Reporter, 'clear-text-file', ClearTextFileReporter),
];
