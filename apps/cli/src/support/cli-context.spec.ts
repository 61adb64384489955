import { z } from 'zod';
import { UsageError } from '../cli.errors';
import { InstantOption, parseOptions, PositiveInt } from './cli-context';

describe('parseOptions', () => {
  const Schema = z.object({
    format: z.enum(['txt', 'csv']),
    asOf: InstantOption.optional(),
    limit: PositiveInt(10),
  });

  it('given valid options, then they are parsed and a date becomes the end of that day in WIB', () => {
    expect(parseOptions(Schema, { format: 'csv', asOf: '2022-07-30', limit: '3' })).toEqual({
      format: 'csv',
      asOf: '2022-07-30T23:59:59.999+07:00',
      limit: 3,
    });
  });

  it('given bad options, then a UsageError names each flag and what it accepts', () => {
    expect(() => parseOptions(Schema, { format: 'xml', asOf: 'soon', limit: '0' })).toThrow(UsageError);
    try {
      parseOptions(Schema, { format: 'xml', asOf: 'soon', limit: '0' });
    } catch (e) {
      const problems = (e as UsageError).problems.join('\n');
      expect(problems).toContain('--format');
      expect(problems).toContain('"txt"');
      expect(problems).toContain('--as-of');
      expect(problems).toContain('--limit');
      expect((e as UsageError).exitCode).toBe(2);
    }
  });

  it('given a positional argument, then it is named as such', () => {
    expect(() => parseOptions(z.object({ name: z.enum(['read-models']) }), { name: 'x' }, ['name'])).toThrow(
      '<name>',
    );
  });
});
