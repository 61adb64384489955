import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pseCaseEventTypes } from '@sanksi/domain';
import { eventSchemaFileName } from './event-json-schemas';

const docs = path.join(__dirname, '../../../../docs');
const asyncapi = readFileSync(path.join(docs, 'asyncapi.yaml'), 'utf8');

/** Every capture of `pattern` in the document, in order of appearance. */
const captures = (pattern: RegExp): string[] => [...asyncapi.matchAll(pattern)].map((m) => m[1] as string);

// The AsyncAPI document is written by hand; these checks keep it from falling behind the domain's events.
describe('docs/asyncapi.yaml', () => {
  const types = [...pseCaseEventTypes].sort();

  it('given the domain events, then the case-events channel lists each one as a message', () => {
    expect(captures(/^ {8}\$ref: '#\/components\/messages\/([A-Za-z]+)'$/gm).sort()).toEqual(
      [
        ...types,
        'OssRegistrationConfirmed',
        'OssRegistrationConfirmed',
        'TrafficObserved',
        'TrafficObservation',
        'TrafficObservation',
      ].sort(),
    );
  });

  it('given the domain events, then the relay publishes each one', () => {
    expect(captures(/^ {6}- \$ref: '#\/channels\/caseEvents\/messages\/([A-Za-z]+)'$/gm).sort()).toEqual(
      types,
    );
  });

  it('given the domain events, then each message carries its committed JSON Schema, and that file exists', () => {
    const refs = captures(/\$ref: '\.\.\/libs\/contracts\/schemas\/([A-Za-z]+\.v1\.json)'$/gm);
    expect(refs.sort()).toEqual(types.map(eventSchemaFileName).sort());
    for (const file of refs)
      expect(existsSync(path.join(docs, '../libs/contracts/schemas', file))).toBe(true);
  });

  it('given the traffic channels, then their messages carry the committed traffic schemas, and those files exist', () => {
    const refs = captures(/\$ref: '\.\.\/libs\/contracts\/schemas\/traffic\/([A-Za-z-]+\.v1\.json)'$/gm);
    expect(refs.sort()).toEqual(['TrafficObserved.v1.json', 'traffic-observation.v1.json']);
    for (const file of refs)
      expect(existsSync(path.join(docs, '../libs/contracts/schemas/traffic', file))).toBe(true);
    for (const topic of [
      'sanksi.traffic-observations.v1',
      'traffic.observations.v1',
      'traffic.observations.v1.dlq',
    ])
      expect(asyncapi).toContain(`address: ${topic}`);
  });
});
