import type { z } from 'zod';
import { InvalidRequest } from './problem';

/** Parses a body, query or path with a zod schema; any problem becomes a 400 naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw new InvalidRequest(
    parsed.error.issues.map((issue) => {
      const field = [where, ...issue.path.map(String)].join('.');
      if (issue.code === 'unrecognized_keys') {
        return { field, message: `unknown field(s): ${issue.keys.join(', ')}` };
      }
      return { field, message: issue.message };
    }),
  );
}
