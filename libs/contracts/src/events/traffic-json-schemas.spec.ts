import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TrafficObservedMessageBody, trafficJsonSchemas } from './traffic-json-schemas';

const dir = path.join(__dirname, '../../schemas/traffic');
const render = (schema: unknown) => `${JSON.stringify(schema, null, 2)}\n`;

describe('published traffic JSON Schemas', () => {
  const schemas = trafficJsonSchemas();

  if (process.env.UPDATE_SCHEMAS === '1') {
    for (const [file, schema] of Object.entries(schemas)) writeFileSync(path.join(dir, file), render(schema));
  }

  it('are committed one file each, and nothing else', () => {
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(Object.keys(schemas).sort());
  });

  it.each(Object.keys(schemas))(
    '%s equals the one generated from zod (UPDATE_SCHEMAS=1 to regenerate)',
    (file) => {
      expect(readFileSync(path.join(dir, file), 'utf8')).toEqual(render(schemas[file]));
    },
  );

  it('given an inbound observation without visits or rank, then the schema says both are optional but the type needs one', () => {
    const inbound = schemas['traffic-observation.v1.json'] as { required: string[] };
    expect(inbound.required.sort()).toEqual(['domain', 'period', 'source']);
  });

  it('given a message body without position, then it does not validate', () => {
    const body = {
      eventId: 'e',
      type: 'TrafficObserved',
      domain: 'a.example',
      period: '2022-07',
      visits: 1,
      rank: null,
      source: 's',
      recordedAt: '2022-08-01T00:00:00Z',
    };
    expect(TrafficObservedMessageBody.safeParse(body).success).toBe(false);
    expect(TrafficObservedMessageBody.safeParse({ ...body, position: 3 }).success).toBe(true);
  });
});
