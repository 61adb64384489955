import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pseCaseEventTypes } from '@sanksi/domain';
import { eventBodySchema, eventJsonSchemas, eventSchemaFileName } from './event-json-schemas';

const dir = path.join(__dirname, '../../schemas');
const render = (schema: unknown) => `${JSON.stringify(schema, null, 2)}\n`;

describe('published event JSON Schemas', () => {
  const schemas = eventJsonSchemas();

  if (process.env.UPDATE_SCHEMAS === '1') {
    for (const type of pseCaseEventTypes)
      writeFileSync(path.join(dir, eventSchemaFileName(type)), render(schemas[type]));
  }

  it('cover every event type, one committed file each, and nothing else', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files).toEqual(pseCaseEventTypes.map(eventSchemaFileName).sort());
  });

  it.each(pseCaseEventTypes)(
    '%s: the committed schema equals the one generated from zod (UPDATE_SCHEMAS=1 npx nx test contracts to regenerate)',
    (type) => {
      const committed = readFileSync(path.join(dir, eventSchemaFileName(type)), 'utf8');
      expect(committed).toEqual(render(schemas[type]));
    },
  );

  it('given a body of another type or without position, then it does not validate', () => {
    const schema = eventBodySchema('WarningIssued');
    expect(schema.safeParse({ type: 'WarningIssued', data: { letterNumber: 'x' } }).success).toBe(false);
  });
});
