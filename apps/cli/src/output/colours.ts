import { terminalSafeLines } from './terminal-safe';

/** ANSI colours, only when writing to a terminal (no dependency: four codes are all we need). */
export interface Colours {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const wrap =
  (enabled: boolean, open: number, close: number) =>
  (text: string): string =>
    // The wrapped text is data (a name, a state): spelled out here (its own colours nest).
    enabled ? `\u001b[${open}m${terminalSafeLines(text)}\u001b[${close}m` : text;

/** Colours that are no-ops unless `enabled` (a TTY and no NO_COLOR). */
export function colours(enabled: boolean): Colours {
  return {
    red: wrap(enabled, 31, 39),
    green: wrap(enabled, 32, 39),
    yellow: wrap(enabled, 33, 39),
    bold: wrap(enabled, 1, 22),
    dim: wrap(enabled, 2, 22),
  };
}
