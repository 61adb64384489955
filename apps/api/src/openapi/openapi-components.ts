import { z } from 'zod';

/** Where registered schemas live in the document: `#/components/schemas/<Name>`. */
const componentUri = (name: string): string => `#/components/schemas/${name}`;

// Two registries because zod converts a schema for one direction at a time: request bodies as a
// client must send them (`io: 'input'`, defaults optional), answers as the server sends them.
const requests = z.registry<{ id: string }>();
const responses = z.registry<{ id: string }>();

/** A JSON Schema `$ref` to a component. */
export interface SchemaRef {
  $ref: string;
}

function register(registry: typeof requests, name: string, schema: z.ZodType): SchemaRef {
  const existing = registry.get(schema);
  if (existing && existing.id !== name) {
    throw new Error(`schema registered twice, as ${existing.id} and ${name}`);
  }
  if (!existing) registry.add(schema, { id: name });
  return { $ref: componentUri(name) };
}

/** Registers a request body schema as component `name` (once) and returns a reference to it. */
export const requestSchema = (name: string, schema: z.ZodType): SchemaRef => register(requests, name, schema);

/** Registers an answer schema as component `name` (once) and returns a reference to it. */
export const responseSchema = (name: string, schema: z.ZodType): SchemaRef =>
  register(responses, name, schema);

/** Drops what OpenAPI 3.0's schema object does not have (zod writes `$id` on every registered schema). */
function withoutIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '$id' && key !== '$schema')
      .map(([key, v]) => [key, withoutIds(v)]),
  );
}

/** Every registered schema as OpenAPI 3.0 components, sorted by name, references between them kept. */
export function componentSchemas(): Record<string, unknown> {
  const convert = (registry: typeof requests, io: 'input' | 'output') =>
    z.toJSONSchema(registry, { target: 'openapi-3.0', io, uri: componentUri }).schemas;
  const all = { ...convert(requests, 'input'), ...convert(responses, 'output') };
  return Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((name) => [name, withoutIds(all[name])]),
  );
}
