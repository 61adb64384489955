import { type Command, Option } from 'commander';
import { z } from 'zod';
import { UsageError } from '../cli.errors';

/** How one body field is given on the command line. */
interface FieldOption {
  field: string;
  flag: string;
  kind: 'text' | 'number' | 'list' | 'flag' | 'json';
  required: boolean;
  choices?: string[];
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
};

/** `letterNumber` → `letter-number`. */
export const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The options of a body schema: one per field, named and typed after its JSON Schema. */
export function fieldOptions(body: z.ZodObject): FieldOption[] {
  const schema = z.toJSONSchema(body, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([field, property]) => {
    const type = Array.isArray(property.type) ? property.type[0] : property.type;
    const kind: FieldOption['kind'] =
      type === 'integer' || type === 'number'
        ? 'number'
        : type === 'array'
          ? 'list'
          : type === 'boolean'
            ? 'flag'
            : type === 'object'
              ? 'json'
              : 'text';
    const choices = property.enum?.every((v) => typeof v === 'string')
      ? (property.enum as string[])
      : undefined;
    return { field, flag: kebab(field), kind, required: required.has(field), choices };
  });
}

/** Adds the body's fields to `command` as options (`--letter-number <text>`, `--domains <hosts...>`). */
export function addFieldOptions(command: Command, body: z.ZodObject, skip: readonly string[] = []): void {
  for (const o of fieldOptions(body)) {
    if (skip.includes(o.field)) continue;
    const what = o.field === 'occurredAt' ? 'business time, ISO-8601 with offset (default: now)' : o.field;
    const value =
      o.kind === 'flag'
        ? ''
        : o.kind === 'list'
          ? ' <values...>'
          : o.kind === 'number'
            ? ' <n>'
            : o.kind === 'json'
              ? ' <json>'
              : o.choices
                ? ` <${o.choices.join('|')}>`
                : ' <text>';
    const option = new Option(`--${o.flag}${value}`, `${what}${o.required ? ' (required)' : ''}`);
    command.addOption(option);
  }
}

/** The body from parsed options, validated by its schema; a `UsageError` naming each bad option. */
export function bodyFromOptions(
  body: z.ZodObject,
  options: Record<string, unknown>,
): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const o of fieldOptions(body)) {
    const given = options[camel(o.flag)];
    if (given === undefined) continue;
    if (o.kind === 'number' && typeof given === 'string') {
      raw[o.field] = /^-?\d+(\.\d+)?$/.test(given.replace(/_/g, ''))
        ? Number(given.replace(/_/g, ''))
        : given;
    } else if (o.kind === 'list') {
      // `--domains a.id b.id` and `--domains a.id,b.id` both work.
      raw[o.field] = (given as string[]).flatMap((v) => v.split(',')).filter((v) => v !== '');
    } else if (o.kind === 'json' && typeof given === 'string') {
      try {
        raw[o.field] = JSON.parse(given);
      } catch {
        problems.push(`--${o.flag}: must be JSON`);
      }
    } else raw[o.field] = given;
  }
  const parsed = body.safeParse(raw);
  if (!parsed.success)
    problems.push(
      ...parsed.error.issues.map((i) => {
        const [field, ...rest] = i.path.map(String);
        const at =
          field === undefined ? 'options' : `--${kebab(field)}${rest.length ? `[${rest.join('.')}]` : ''}`;
        return `${at}: ${i.message}`;
      }),
    );
  if (problems.length > 0) throw new UsageError(`invalid arguments: ${problems.join('; ')}`, problems);
  return parsed.success ? (parsed.data as Record<string, unknown>) : {};
}

/** The option naming a body field in a refusal (`body.letterNumber` → `--letter-number`). */
export function optionOfField(field: string): string {
  const [head, name, ...rest] = field.split('.');
  if (head !== 'body' || name === undefined) return field;
  return `--${kebab(name)}${rest.length ? `[${rest.join('.')}]` : ''}`;
}
