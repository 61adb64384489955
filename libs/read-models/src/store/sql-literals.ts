/** Values written into PostgreSQL's SQL text as literals, for statements sent without parameters. */

/**
 * `text` as a dollar-quoted literal: no escapes inside, under a tag (`$q$`, `$q1$`, …) that `text` does not
 * contain after a `$`, so neither the text nor its end can close it early.
 */
export function dollarQuote(text: string): string {
  return dollarQuoted(text).join('');
}

/** `dollarQuote` as its opening tag, the text and its closing tag, for a caller that joins pieces once. */
export function dollarQuoted(text: string): [string, string, string] {
  let tag = '$q$';
  if (text.includes('$')) for (let n = 1; text.includes(tag.slice(0, -1)); n++) tag = `$q${n}$`;
  return [tag, text, tag];
}

/** A parameter written into SQL text as a literal (text dollar-quoted, untyped as a parameter is). */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'string') return dollarQuote(value);
  throw new TypeError(`no literal for a ${typeof value}`);
}

/** `?` placeholders replaced by the literals of `params`, in order. */
export function withLiterals(sql: string, params: readonly unknown[]): string {
  let i = 0;
  const text = sql.replace(/\?/g, () => sqlLiteral(params[i++]));
  if (i !== params.length) throw new TypeError(`${params.length} parameters for ${i} placeholders`);
  return text;
}
