import { SingleBar } from 'cli-progress';
import { type Colours, colours } from './colours';
import { renderTable } from './table';
import { terminalSafeCell, terminalSafeJson, terminalSafeLines } from './terminal-safe';

/** A progress indicator; a no-op when not on a terminal or in `--json` mode. */
export interface Progress {
  increment(by?: number): void;
  /** Sets the absolute progress. */
  update(value: number): void;
  setTotal(total: number): void;
  stop(): void;
}

const silentProgress: Progress = {
  increment: () => undefined,
  update: () => undefined,
  setTotal: () => undefined,
  stop: () => undefined,
};

/**
 * Where the CLI writes: the only place (with main.ts) that touches the console. Lines, tables, JSON and
 * messages are made terminal-safe here, so no stored text can drive the terminal (terminal-safe.ts); `raw`
 * is for documents the CLI rendered itself (the blocklist formats refuse anything but host names).
 */
export interface CliOutput {
  readonly json: boolean;
  readonly colour: Colours;
  /** A line for people on stdout (suppressed in `--json` mode). */
  line(text?: string): void;
  /** Raw text on stdout, as is (blocklist files, JSON documents; bytes already UTF-8). */
  raw(text: string | Uint8Array): void;
  /** The machine result in `--json` mode. */
  data(value: unknown): void;
  /** A table for people. */
  table(columns: string[], rows: string[][]): void;
  /** A message on stderr (warnings, errors). */
  error(text: string): void;
  /** A progress bar on stderr, only on a terminal and not in `--json` mode. */
  progress(label: string, total: number): Progress;
}

/** Options of the console output: whether stdout/stderr are terminals. */
export interface ConsoleOutputOptions {
  json: boolean;
  stdoutIsTty?: boolean;
  stderrIsTty?: boolean;
}

/** Output to the process's stdout and stderr. */
export function consoleOutput(options: ConsoleOutputOptions): CliOutput {
  const stdoutTty = options.stdoutIsTty ?? Boolean(process.stdout.isTTY);
  const stderrTty = options.stderrIsTty ?? Boolean(process.stderr.isTTY);
  const colour = colours(stdoutTty && !process.env.NO_COLOR && !options.json);
  return {
    json: options.json,
    colour,
    line(text = '') {
      if (!options.json) process.stdout.write(`${terminalSafeLines(text)}\n`);
    },
    raw(text) {
      process.stdout.write(text);
    },
    data(value) {
      process.stdout.write(`${terminalSafeJson(JSON.stringify(value, null, 2))}\n`);
    },
    table(columns, rows) {
      if (!options.json) {
        const safeRows = rows.map((row) => row.map(terminalSafeCell));
        process.stdout.write(`${renderTable(columns.map(terminalSafeCell), safeRows)}\n`);
      }
    },
    error(text) {
      console.error(terminalSafeLines(text));
    },
    progress(label, total) {
      if (options.json || !stderrTty) return silentProgress;
      const bar = new SingleBar({
        format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta}s`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
      });
      bar.start(Math.max(total, 1), 0);
      return {
        increment: (by = 1) => bar.increment(by),
        update: (value) => bar.update(value),
        setTotal: (t) => bar.setTotal(Math.max(t, 1)),
        stop: () => bar.stop(),
      };
    },
  };
}
