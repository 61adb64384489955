#!/usr/bin/env node
// The dependency audit of the reliability suite (issue 11; docs/security.md §Dependency audit):
// `npm audit` of the production dependencies (--omit=dev) and of everything, failing on any high or
// critical advisory that tools/audit-exceptions.json does not explain.
//   node tools/audit.mjs                          run npm audit (needs the registry's advisory endpoint)
//   node tools/audit.mjs --from prod.json all.json  judge saved `npm audit --json` reports instead
//   --exceptions <file>                           another exceptions file (tests use this)
// Exit 0: clean of high/critical (or each one explained); 1: an unexplained high/critical advisory;
// 2: the audit could not run (the endpoint refused or was unreachable) — said plainly, never "clean".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const exceptionsFile = option('--exceptions') ?? path.join(root, 'tools', 'audit-exceptions.json');
/** `--from a.json [b.json]`: the saved reports (production, then everything; one serves for both). */
const from = args.includes('--from')
  ? args.slice(args.indexOf('--from') + 1, args.indexOf('--from') + 3).filter((a) => !a.startsWith('--'))
  : undefined;

const SERIOUS = new Set(['high', 'critical']);

/** `{ advisory: "GHSA-…", package, reason }` entries: each one a high/critical advisory accepted, and why. */
function loadExceptions() {
  if (!existsSync(exceptionsFile)) return [];
  const list = JSON.parse(readFileSync(exceptionsFile, 'utf8'));
  for (const e of list) {
    if (
      typeof e.advisory !== 'string' ||
      typeof e.package !== 'string' ||
      typeof e.reason !== 'string' ||
      e.reason.length < 20
    ) {
      throw new Error(
        `${exceptionsFile}: every exception needs advisory, package and a reason of a sentence: ${JSON.stringify(e)}`,
      );
    }
  }
  return list;
}

/** The advisory id of a `via` entry: the GHSA id from its URL, else its source number. */
const advisoryId = (via) => /GHSA-[\w-]+/.exec(via.url ?? '')?.[0] ?? String(via.source);

/**
 * Judges one `npm audit --json` report: the counts by severity and the high/critical advisories,
 * each excepted (with its reason) or not. Packages flagged only through another package's advisory
 * are covered by that package's entry.
 */
function judge(report, exceptions) {
  if (!report || typeof report !== 'object' || !report.vulnerabilities) {
    const why = report?.message ?? report?.error?.summary ?? 'no vulnerabilities section in the report';
    // The reason names what failed, not where: the registry's address stays out of reports.
    return { ran: false, why: String(why).replace(/https?:\/\/[^/\s]+/g, '<registry>') };
  }
  const counts = {
    critical: 0,
    high: 0,
    moderate: 0,
    low: 0,
    info: 0,
    ...(report.metadata?.vulnerabilities ?? {}),
  };
  const serious = [];
  for (const [name, v] of Object.entries(report.vulnerabilities)) {
    for (const via of v.via ?? []) {
      if (typeof via !== 'object' || !SERIOUS.has(via.severity)) continue;
      const id = advisoryId(via);
      const exception = exceptions.find((e) => e.advisory === id && e.package === name);
      serious.push({
        package: name,
        advisory: id,
        severity: via.severity,
        title: via.title,
        range: via.range,
        fix: v.fixAvailable,
        exception,
      });
    }
  }
  return { ran: true, counts, serious };
}

function runAudit(omitDev) {
  const r = spawnSync('npm', ['audit', '--json', ...(omitDev ? ['--omit=dev'] : [])], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  try {
    return JSON.parse(r.stdout);
  } catch {
    return {
      message: `npm audit gave no JSON (exit ${r.status}): ${(r.stderr || r.stdout || '').trim().slice(0, 300)}`,
    };
  }
}

const exceptions = loadExceptions();
const verdicts = [
  [
    'production (--omit=dev)',
    judge(from ? JSON.parse(readFileSync(from[0], 'utf8')) : runAudit(true), exceptions),
  ],
  [
    'everything',
    judge(from ? JSON.parse(readFileSync(from[1] ?? from[0], 'utf8')) : runAudit(false), exceptions),
  ],
];
for (const [label, verdict] of verdicts) {
  if (!verdict.ran) {
    console.log(`npm audit, ${label}: NOT RUN — ${verdict.why}`);
    continue;
  }
  const c = verdict.counts;
  const unexplained = verdict.serious.filter((s) => !s.exception);
  console.log(
    `npm audit, ${label}: ${c.critical} critical, ${c.high} high, ${c.moderate} moderate, ${c.low} low; ` +
      `${verdict.serious.length - unexplained.length} high/critical explained, ${unexplained.length} unexplained`,
  );
  for (const s of verdict.serious) {
    console.log(
      `  ${s.exception ? 'explained' : 'UNEXPLAINED'} ${s.severity} ${s.package} ${s.range ?? ''} ${s.advisory}: ${s.title}` +
        (s.exception ? `\n      why: ${s.exception.reason}` : `\n      fix: ${JSON.stringify(s.fix)}`),
    );
  }
}
// An unexplained advisory outranks "could not run": it is a finding, the other only an absence of one.
const unexplained = verdicts.some(([, v]) => v.ran && v.serious.some((s) => !s.exception));
process.exit(unexplained ? 1 : verdicts.some(([, v]) => !v.ran) ? 2 : 0);
