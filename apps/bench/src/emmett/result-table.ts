/** What one side did on one line: events it completed, the wall-clock seconds, and the calls that failed. */
export interface SideFigure {
  events: number;
  seconds: number;
  errors: number;
  /** The first failure's message, so a failing line says what failed. */
  firstError?: string;
}

/** One line of the comparison: both stores and each one's raw driver limit, measured in the same run. */
export interface ComparisonLine {
  backend: string;
  scenario: string;
  sanksi: SideFigure;
  emmett: SideFigure;
  sanksiRaw: SideFigure;
  emmettRaw: SideFigure;
}

/** The ratio Sanksi/Emmett the issue aims for on every line. */
export const GOAL_RATIO = 3;

/** Events per second of a side's figure (0 when it did nothing). */
export function perSecond(figure: SideFigure): number {
  return figure.seconds > 0 ? figure.events / figure.seconds : 0;
}

/** `a / b` of two rates, or null when `b` did nothing (a ratio to zero says nothing). */
export function rateRatio(a: SideFigure, b: SideFigure): number | null {
  const denominator = perSecond(b);
  return denominator > 0 ? perSecond(a) / denominator : null;
}

/** Adds the figures of several slices of one side: events, seconds and errors sum, the first error stays. */
export function addFigures(figures: readonly SideFigure[]): SideFigure {
  const sum: SideFigure = { events: 0, seconds: 0, errors: 0 };
  for (const f of figures) {
    sum.events += f.events;
    sum.seconds += f.seconds;
    sum.errors += f.errors;
    sum.firstError ??= f.firstError;
  }
  return sum;
}

function rate(figure: SideFigure): string {
  return `${Math.round(perSecond(figure)).toLocaleString('en-US')}/s`;
}

function times(value: number | null, digits = 2): string {
  return value === null ? 'n/a' : value.toFixed(digits);
}

/** The result table as Markdown rows (header first): rates, Sanksi/Emmett, each side over its raw limit, errors. */
export function formatTable(lines: readonly ComparisonLine[]): string[] {
  const rows = lines.map((l) => [
    l.backend,
    l.scenario,
    rate(l.sanksi),
    rate(l.emmett),
    `${times(rateRatio(l.sanksi, l.emmett))}×`,
    `${times(rateRatio(l.sanksi, l.sanksiRaw))} of ${rate(l.sanksiRaw)}`,
    `${times(rateRatio(l.emmett, l.emmettRaw))} of ${rate(l.emmettRaw)}`,
    `${l.sanksi.errors} / ${l.emmett.errors}`,
  ]);
  const header = [
    'backend',
    'scenario',
    'Sanksi',
    'Emmett',
    'Sanksi/Emmett',
    'Sanksi/raw',
    'Emmett/raw',
    'errors S / E',
  ];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const numeric = (c: number): boolean => c >= 2;
  const cell = (text: string, c: number): string =>
    numeric(c) ? text.padStart(widths[c]) : text.padEnd(widths[c]);
  const line = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (numeric(c) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)];
}

/** The lines where Sanksi is below `goal` × Emmett, or where either side failed a call (said, not hidden). */
export function shortfalls(lines: readonly ComparisonLine[], goal = GOAL_RATIO): string[] {
  const out: string[] = [];
  for (const l of lines) {
    const r = rateRatio(l.sanksi, l.emmett);
    const name = `${l.backend}, ${l.scenario}`;
    if (r !== null && r < goal) out.push(`${name}: ${r.toFixed(2)}× Emmett (goal ${goal}×)`);
    if (l.sanksi.errors > 0)
      out.push(`${name}: Sanksi failed ${l.sanksi.errors} call(s): ${l.sanksi.firstError}`);
    if (l.emmett.errors > 0)
      out.push(`${name}: Emmett failed ${l.emmett.errors} call(s): ${l.emmett.firstError}`);
  }
  return out;
}
