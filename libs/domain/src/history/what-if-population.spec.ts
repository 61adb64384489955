import { at, identify, runCommands, warnedCase } from '../pse-case/__fixtures__/pse-case.fixtures';
import { getPolicy } from '../policies';
import { whatIf } from './what-if';
import {
  addWhatIfCounts,
  countWhatIf,
  emptyWhatIfCounts,
  orderedWhatIfCounts,
  WhatIfUntil,
} from './what-if-population';

describe('what-if over a population', () => {
  const kominfo = getPolicy('kominfo-2022');
  const until = '2022-08-01T23:59:59+07:00';

  it('given two lapsed pp43-2023 warnings and an unregistered case, when counted under kominfo-2022, then every case counts on both sides', () => {
    const warned = ['w1', 'w2'].map((id) => runCommands(warnedCase(id, 'pp43-2023'), 'pp43-2023').events);
    const quiet = runCommands([at('2022-07-18T09:00', identify('u'))], 'pp43-2023').events;
    const counts = emptyWhatIfCounts();
    for (const events of [...warned, quiet]) countWhatIf(counts, whatIf(events, kominfo, { until }));
    // pp43-2023 waits for a fine after the lapsed warning; kominfo-2022 blocks by itself.
    expect(orderedWhatIfCounts(counts)).toEqual({
      recorded: { unregistered: 1, warned: 2, blocked: 0 },
      alternative: { unregistered: 1, warned: 0, blocked: 2 },
    });
  });

  it('given counts from two chunks added in either order, when ordered, then the same states in the machine’s order', () => {
    const a = { recorded: { blocked: 1 }, alternative: { revoked: 1 } };
    const b = { recorded: { absent: 1, registered: 2 }, alternative: { registered: 2, unregistered: 1 } };
    const ab = emptyWhatIfCounts();
    addWhatIfCounts(ab, a);
    addWhatIfCounts(ab, b);
    const ba = emptyWhatIfCounts();
    addWhatIfCounts(ba, b);
    addWhatIfCounts(ba, a);
    const ordered = orderedWhatIfCounts(ab);
    expect(JSON.stringify(orderedWhatIfCounts(ba))).toBe(JSON.stringify(ordered));
    expect(Object.keys(ordered.recorded)).toEqual([
      'unregistered',
      'registered',
      'blocked',
      'revoked',
      'absent',
    ]);
    expect(ordered).toEqual({
      recorded: { unregistered: 0, registered: 2, blocked: 1, revoked: 0, absent: 1 },
      alternative: { unregistered: 1, registered: 2, blocked: 0, revoked: 1, absent: 0 },
    });
  });

  it('given a case with no history, when counted, then it is absent on both sides', () => {
    const counts = emptyWhatIfCounts();
    countWhatIf(counts, { final: { recorded: null, alternative: null } });
    expect(counts).toEqual({ recorded: { absent: 1 }, alternative: { absent: 1 } });
  });

  it('given until as a date, an instant or anything else, then the end of that WIB day, the instant, or a refusal', () => {
    expect(WhatIfUntil.parse('2022-08-01')).toBe('2022-08-01T23:59:59+07:00');
    expect(WhatIfUntil.parse('2022-08-01T12:00:00Z')).toBe('2022-08-01T12:00:00Z');
    expect(WhatIfUntil.parse('2022-08-01T12:00:00.5+08:00')).toBe('2022-08-01T12:00:00.5+08:00');
    for (const bad of ['yesterday', '2022-08-01T12:00:00', '2022-02-30', '']) {
      expect(WhatIfUntil.safeParse(bad).error?.issues[0].message).toBe(
        'must be an ISO-8601 instant with offset (2022-08-01T12:00:00+07:00) or a date (2022-08-01: the end of that day in WIB)',
      );
    }
  });
});
