import { z } from 'zod';

/** The longest case id: one limit for opening a case, its `:pseId` routes and every command. */
export const PSE_ID_MAX_LENGTH = 128;

/** A case id: letters, digits, `.`, `_` or `-`, starting with a letter or digit, at most 128 characters. */
export const PseId = z
  .string()
  .regex(
    new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${PSE_ID_MAX_LENGTH - 1}}$`),
    `letters, digits, ".", "_" or "-", starting with a letter or digit, at most ${PSE_ID_MAX_LENGTH}`,
  );
export type PseId = z.infer<typeof PseId>;

// C0 controls, DEL and C1 controls: none belongs in a one-line field, and each could drive a terminal or
// split a log line or an export row when the text is shown later.
const CONTROL_CHARACTER = /\p{Cc}/u;

/** The first control character of `text`, described (`U+001B at position 3`), or null when there is none. */
export function controlCharacterIn(text: string): string | null {
  const index = [...text].findIndex((c) => CONTROL_CHARACTER.test(c));
  if (index < 0) return null;
  const code = ([...text][index].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return `U+${code} at position ${index + 1}`;
}

/** Refuses control characters in a one-line text schema (names, numbers, references, reasons). */
export function singleLine<S extends z.ZodString>(schema: S): S {
  return schema.superRefine((value, ctx) => {
    const found = controlCharacterIn(value);
    if (found) {
      ctx.addIssue({
        code: 'custom',
        message: `control character ${found}: a one-line text field takes letters, digits, punctuation and spaces, no tabs, line breaks or other control characters`,
      });
    }
  });
}

/** A non-empty one-line text field of a command. */
export const SingleLineText = singleLine(z.string().min(1));
