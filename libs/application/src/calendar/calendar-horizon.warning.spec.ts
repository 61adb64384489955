import { Writable } from 'node:stream';
import pino from 'pino';
import { warnOfCalendarHorizon } from './calendar-horizon.warning';

/** A real pino logger whose lines are kept, parsed. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

// The day is injected: the outcome never depends on when CI runs.
describe('the calendar horizon warning at start', () => {
  it('given a start more than 12 months before the horizon, then nothing is logged', () => {
    const { logger, lines } = capturingLogger();
    expect(warnOfCalendarHorizon(logger, new Date('2026-12-02T01:00:00Z')).warn).toBe(false);
    expect(lines).toEqual([]);
  });

  it('given a start less than 12 months before it, then one warning names the horizon and the procedure', () => {
    const { logger, lines } = capturingLogger();
    // 31 December 2026, 18:00 UTC is already 1 January 2027 in WIB: the day counted is WIB's.
    expect(warnOfCalendarHorizon(logger, new Date('2026-12-31T18:00:00Z')).today).toBe('2027-01-01');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      calendar: { knownThrough: '2027-12-31', daysLeft: 364, nextYear: 2028 },
      msg: expect.stringContaining('add the 2028 holidays (docs/calendar.md §Adding a year)'),
    });
  });

  it('given a shorter lead time, then the warning waits until then', () => {
    const { logger, lines } = capturingLogger();
    warnOfCalendarHorizon(logger, new Date('2027-03-01T01:00:00Z'), 6);
    expect(lines).toEqual([]);
    warnOfCalendarHorizon(logger, new Date('2027-07-01T01:00:00Z'), 6);
    expect(lines).toHaveLength(1);
  });
});
