import fc from 'fast-check';
import { parseTrafficLines, splitCsvLine, validateTrafficRow } from './traffic-rows.parser';

async function all<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe('splitCsvLine', () => {
  it('given fields with no quotes or commas, when joined and split, then the same fields come back', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string().filter((f) => !/[",]/.test(f)),
          { minLength: 1, maxLength: 8 },
        ),
        (fields) => {
          expect(splitCsvLine(fields.join(','))).toEqual(fields);
        },
      ),
    );
  });

  it('given any fields quoted as RFC 4180 says, when split, then the same fields come back', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 8 }), (fields) => {
        const line = fields.map((f) => `"${f.replace(/"/g, '""')}"`).join(',');
        expect(splitCsvLine(line)).toEqual(fields);
      }),
    );
  });

  it('given a quote left open, when split, then it is refused (null)', () => {
    expect(splitCsvLine('a.com,"2022-07')).toBeNull();
  });
});

describe('validateTrafficRow', () => {
  it('given a row without source and period, when validated with defaults, then they are filled and the row itself is left as it was', () => {
    const row = { domain: 'WWW.Example.co.id', visits: 5 };
    expect(validateTrafficRow(3, row, { source: 'sw', period: '2022-07' })).toEqual({
      line: 3,
      ok: true,
      observation: { domain: 'example.co.id', period: '2022-07', visits: 5, source: 'sw' },
    });
    expect(row).toEqual({ domain: 'WWW.Example.co.id', visits: 5 });
  });
});

describe('parseTrafficLines (CSV)', () => {
  it('given plain, quoted, CRLF and bad lines, when parsed, then each row is its observation or its refusal by line', async () => {
    const rows = await all(
      parseTrafficLines(
        [
          '\uFEFFdomain,period,visits,rank,source',
          'a.example.com,2022-07,10,1,sw\r',
          '"https://www.B.example.com/x",2022-07,,2,sw',
          '',
          'c.example.com,2022-07,x,3,sw',
          'a.com. b.com,2022-07,4,4,sw',
        ],
        'csv',
      ),
    );
    expect(rows).toEqual([
      {
        line: 2,
        ok: true,
        observation: { domain: 'a.example.com', period: '2022-07', visits: 10, rank: 1, source: 'sw' },
      },
      {
        line: 3,
        ok: true,
        observation: { domain: 'b.example.com', period: '2022-07', rank: 2, source: 'sw' },
      },
      { line: 5, ok: false, reason: expect.stringContaining('visits') },
      { line: 6, ok: false, reason: expect.stringContaining('several addresses') },
    ]);
  });
});
