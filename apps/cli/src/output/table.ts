// The SGR codes colours.ts writes (and any other SGR): they take no room on the terminal.
const SGR_PATTERN = '\\u001b\\[[0-9;]*m';
const SGR = new RegExp(SGR_PATTERN, 'g');

/** The width a cell takes on a terminal: its text without colour codes. */
export function visibleWidth(text: string): number {
  return [...text.replace(SGR, '')].length;
}

/** Renders rows as a plain-text table with a header and aligned columns (coloured cells align too). */
export function renderTable(columns: string[], rows: string[][]): string {
  const widths = columns.map((c, i) =>
    Math.max(visibleWidth(c), ...rows.map((r) => visibleWidth(r[i] ?? ''))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 ? cell : cell + ' '.repeat(Math.max(0, widths[i] - visibleWidth(cell))),
      )
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
