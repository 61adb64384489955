import * as testing from '@sanksi/testing';
import { Client } from 'pg';
import { dollarQuote, sqlLiteral, withLiterals } from './sql-literals';

jest.setTimeout(60_000);

// Texts that end a careless dollar quote early, or that a quoted literal would need to escape.
const AWKWARD = [
  '',
  '$',
  '$$',
  'a$',
  '$q',
  '$q$',
  'x$q$y$q1$z',
  'ends in $q',
  "it's",
  'back\\slash',
  'JSON {"a":"$q$"}',
  'Über Alles — 東京',
  '?',
];

describe('values written into PostgreSQL text as literals', () => {
  it('given a text holding the tag, then the quote takes another tag that the text does not hold', () => {
    expect(dollarQuote('plain')).toBe('$q$plain$q$');
    expect(dollarQuote('has $q inside')).toBe('$q1$has $q inside$q1$');
    expect(dollarQuote('$q and $q1')).toBe('$q2$$q and $q1$q2$');
  });

  it('given parameters, then each placeholder takes one literal, and a count that does not match is refused', () => {
    expect(withLiterals('SELECT ?, ?, ?, ?', ['a?', 5, null, true])).toBe('SELECT $q$a?$q$, 5, NULL, TRUE');
    expect(() => withLiterals('SELECT ?', [])).toThrow('0 parameters for 1 placeholders');
    expect(() => withLiterals('SELECT 1', [1])).toThrow('1 parameters for 0 placeholders');
    expect(() => sqlLiteral(Number.NaN)).toThrow('not a finite number');
    expect(() => sqlLiteral({})).toThrow('no literal for a object');
  });

  it('given awkward texts, when read back by a real server, then each is exactly what was written', async () => {
    const database = await testing.createTemporaryPostgresDatabase('sanksi_literals');
    // Sent as a write script's text is: a simple query, nothing rewritten on the way.
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const select = AWKWARD.map((text, i) => `${sqlLiteral(text)}::text AS t${i}`).join(', ');
      const { rows } = await client.query<Record<string, string>>(`SELECT ${select}`);
      expect(AWKWARD.map((_, i) => rows[0]?.[`t${i}`])).toEqual(AWKWARD);
    } finally {
      await client.end();
      await database.drop();
    }
  });
});
