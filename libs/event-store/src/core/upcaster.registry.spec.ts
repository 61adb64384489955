import { UpcastFailed } from './event-store.errors';
import { UpcasterRegistry } from './upcaster.registry';

const stored = (type: string, schemaVersion: number, data: unknown) => ({
  type,
  schemaVersion,
  data,
  metadata: {},
  position: 9,
});

describe('UpcasterRegistry', () => {
  const registry = new UpcasterRegistry([
    { type: 'A', fromVersion: 1, upcast: ({ data }) => ({ data: { v2: data } }) },
    {
      type: 'A',
      fromVersion: 2,
      upcast: ({ data, metadata }) => ({ data: { v3: data }, metadata: { ...metadata, up: true } }),
    },
    {
      type: 'Broken',
      fromVersion: 1,
      upcast: () => {
        throw new Error('boom');
      },
    },
  ]);

  it('given a v1 event, then it is lifted through every version in order', () => {
    expect(registry.apply(stored('A', 1, 'x'))).toEqual({
      ...stored('A', 3, { v3: { v2: 'x' } }),
      metadata: { up: true },
    });
  });

  it('given an event of an unknown type or already current, then it is returned as is', () => {
    const other = stored('B', 1, 'x');
    expect(registry.apply(other)).toBe(other);
    expect(registry.apply(stored('A', 3, 'x'))).toEqual(stored('A', 3, 'x'));
  });

  it('given a failing upcaster, then a typed UpcastFailed names the type, version and position', () => {
    expect(() => registry.apply(stored('Broken', 1, {}))).toThrow(UpcastFailed);
    expect(() => registry.apply(stored('Broken', 1, {}))).toThrow(
      expect.objectContaining({ fromVersion: 1, position: 9 }),
    );
  });

  it('given two upcasters for one type and version, then the registry refuses them', () => {
    const twice = { type: 'A', fromVersion: 1, upcast: ({ data }: { data: unknown }) => ({ data }) };
    expect(() => new UpcasterRegistry([twice, twice])).toThrow(RangeError);
  });
});
