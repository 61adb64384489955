// What the CLI itself writes to a terminal: these SGR codes of colours.ts and line breaks. Anything else
// that a terminal would act on — C0 and C1 controls (ESC sequences, CR, BEL, CSI), DEL, and the bidi
// overrides that reorder what a reader sees — can only come from data (names, reasons, numbers recorded
// before control characters were refused at the edge) and is shown spelled out instead.
const OWN_SGR = '\\u001b\\[(?:1|2|22|31|32|33|39)m';
const ACTIVE = '[\\p{Cc}\\u202a-\\u202e\\u2066-\\u2069]';
const ACTIVE_IN_LINES = new RegExp(`${OWN_SGR}|\\n|${ACTIVE}`, 'gu');
const ACTIVE_IN_TEXT = new RegExp(ACTIVE, 'gu');
const ACTIVE_IN_CELL = new RegExp(`${OWN_SGR}|${ACTIVE}`, 'gu');

const spelled = (c: string): string => {
  const code = c.codePointAt(0) ?? 0;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** One value shown on a terminal (a cell, a name): every control and bidi character spelled out (`\x1b`). */
export function terminalSafeText(text: string): string {
  return text.replace(ACTIVE_IN_TEXT, spelled);
}

/** Lines the CLI composed: its own colours and line breaks kept, every other control character spelled out. */
export function terminalSafeLines(text: string): string {
  return text.replace(ACTIVE_IN_LINES, (m) => (m === '\n' || m.length > 1 ? m : spelled(m)));
}

/** A table cell: the CLI's own colours kept (a coloured state), every other control spelled out, line breaks too. */
export function terminalSafeCell(text: string): string {
  return text.replace(ACTIVE_IN_CELL, (m) => (m.length > 1 ? m : spelled(m)));
}

/**
 * A JSON document for stdout: JSON.stringify already escapes C0 controls, but leaves DEL and the C1
 * controls (U+0080–U+009F, an 8-bit CSI among them) and the bidi overrides raw; they can only sit inside
 * strings, so `\uXXXX` escapes keep the document the same JSON value.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
