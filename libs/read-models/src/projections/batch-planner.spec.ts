import fc from 'fast-check';
import { type ReadModelEvent, toReadModelEvent } from '../events/read-model-event';
import { type CaseHistory, GlobalLog } from '../testing/case-history.fixture';
import { type BatchChanges, type BatchContext, advanceContext, domainKey, planBatch } from './batch-planner';

const emptyContext = (): BatchContext => ({
  summaries: new Map(),
  blocklist: new Map(),
  registry: new Map(),
  warningToRegistration: new Map(),
  fines: new Map(),
  deadlines: new Map(),
});

const OPS = [
  'warn',
  'elapse',
  'block',
  'tempRestore',
  'reBlock',
  'submit',
  'confirm',
  'fine',
  'pay',
  'domains',
] as const;

/** A random population: a few cases, each a random walk of plausible events, interleaved in the log. */
function population(seed: Array<[number, (typeof OPS)[number]]>): ReadModelEvent[] {
  const log = new GlobalLog(2);
  const cases = [0, 1, 2].map((i) => log.case(`c${i}`, { domains: [`c${i}.example`, `www.c${i}.example`] }));
  const fines = new Map<number, number>();
  let t = Date.UTC(2022, 6, 21);
  const at = () => new Date((t += 3_600_000 * 7)).toISOString();
  for (const c of cases) c.identified(at());
  for (const [i, op] of seed) {
    const c = cases[i % cases.length] as CaseHistory;
    const n = fines.get(i % 3) ?? 0;
    switch (op) {
      case 'warn':
        c.warned(at(), `W${t}`, new Date(t + 5 * 86400000).toISOString());
        break;
      case 'elapse':
        c.deadlineElapsed(at(), ['BlockAccess']);
        break;
      case 'block':
        c.blocked(at(), `O${t}`);
        break;
      case 'tempRestore':
        c.temporarilyRestored(at(), new Date(t + 86400000).toISOString());
        break;
      case 'reBlock':
        c.reBlocked(at());
        break;
      case 'submit':
        c.submitted(at(), 'manual');
        break;
      case 'confirm':
        c.confirmed(at(), `00000${i}.01/DJAI.PSE/07/2022`, true);
        break;
      case 'fine':
        c.fined(at(), `F${n + 1}`, 1000 * (n + 1), new Date(t + 30 * 86400000).toISOString());
        fines.set(i % 3, n + 1);
        break;
      case 'pay':
        if (n > 0) c.paid(at(), `F${n}`, 10);
        break;
      case 'domains':
        c.profileUpdated(at(), [`c${i % 3}.example`, `new${t}.example`]);
        break;
    }
  }
  return log.all().map(toReadModelEvent);
}

/** Sums of the additive outputs and final values of the keyed ones, comparable across batchings. */
function summarise(all: BatchChanges[]) {
  const sum = new Map<string, number>();
  const add = (k: string, v: number) => sum.set(k, (sum.get(k) ?? 0) + v);
  const final = new Map<string, unknown>();
  for (const c of all) {
    for (const [k, v] of c.stateDeltas) add(`sd|${k}`, v.n);
    for (const [k, v] of c.blocklistDeltas) {
      add(`bd|${k}|+`, v.added);
      add(`bd|${k}|-`, v.removed);
    }
    for (const [k, v] of c.transitionsDaily) add(`td|${k}`, v.count);
    for (const [k, v] of c.finesMonthly) {
      add(`fm|${k}|i`, v.imposedIdr);
      add(`fm|${k}|p`, v.paidIdr);
      add(`fm|${k}|n`, v.imposedCount + v.paidCount);
    }
    for (const [k, v] of c.summaries) final.set(`s|${k}`, v);
    for (const [k, v] of c.blocklist) final.set(`b|${k}`, v);
    for (const [k, v] of c.registry) final.set(`r|${k}`, v);
    for (const [k, v] of c.warningToRegistration) final.set(`w|${k}`, v);
    for (const [k, v] of c.fines) final.set(`f|${k}`, v);
    for (const [k, v] of c.deadlines) final.set(`d|${k}`, v);
    for (const [k, v] of c.caseDomains) final.set(`cd|${k}`, v);
  }
  return {
    sum: Object.fromEntries([...sum].filter(([, v]) => v !== 0).sort()),
    final: Object.fromEntries([...final].sort(([a], [b]) => a.localeCompare(b))),
    timeline: all.flatMap((c) => c.timeline),
    feed: all.flatMap((c) => c.blocklistChanges),
    transitions: all.flatMap((c) => c.transitions),
    revisionDeltas: all.flatMap((c) => c.revisionDeltas),
  };
}

describe('planBatch', () => {
  it('for any population and any split into batches, the outcome equals one batch of everything', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(5), fc.constantFrom(...OPS)), { maxLength: 40 }),
        fc.array(fc.nat(50), { maxLength: 5 }),
        (seed, cuts) => {
          const events = population(seed);
          const whole = planBatch(emptyContext(), events);
          const bounds = [...new Set([0, ...cuts.map((c) => c % (events.length + 1)), events.length])].sort(
            (a, b) => a - b,
          );
          let context = emptyContext();
          const parts: BatchChanges[] = [];
          for (let i = 0; i + 1 < bounds.length; i++) {
            const changes = planBatch(context, events.slice(bounds[i], bounds[i + 1]));
            parts.push(changes);
            context = advanceContext(context, changes);
          }
          expect(summarise(parts)).toEqual(summarise([whole]));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('given the same case twice in a batch, when planned, then its rows are the final ones and the timeline has both', () => {
    const log = new GlobalLog();
    const c = log.case('x', { domains: ['WWW.X.example'] });
    c.identified('2022-07-21T09:00:00+07:00');
    c.blocked('2022-07-30T10:00:00+07:00', '1');
    const changes = planBatch(emptyContext(), log.all().map(toReadModelEvent));
    expect(changes.summaries.get('x')).toMatchObject({ state: 'blocked', version: 2 });
    expect(changes.timeline.map((t) => t.revision)).toEqual([0, 1]);
    expect(changes.caseDomains.get('x')).toEqual(['x.example']);
    expect(changes.blocklist.get('x')?.domains.map((d) => d.domain)).toEqual(['www.x.example']);
  });

  it('given deadlines an event leaves as they were, when planned, then they are not rewritten; when they change, they are', () => {
    const log = new GlobalLog();
    const c = log.case('d');
    c.fined('2022-08-01T09:00:00+07:00', 'F-1', 1_000, '2022-08-31T09:00:00+07:00');
    c.profileUpdated('2022-08-02T09:00:00+07:00', ['d.example']);
    c.paid('2022-08-03T09:00:00+07:00', 'F-1', 1_000);
    const [fined, updated, paid] = log.all().map(toReadModelEvent) as [
      ReadModelEvent,
      ReadModelEvent,
      ReadModelEvent,
    ];
    const first = planBatch(emptyContext(), [fined]);
    expect(first.deadlines.get('d')?.map((d) => d.kind)).toEqual(['finePayment']);
    const afterFined = advanceContext(emptyContext(), first);
    const second = planBatch(afterFined, [updated]);
    expect(second.deadlines.has('d')).toBe(false);
    const third = planBatch(advanceContext(afterFined, second), [paid]);
    expect(third.deadlines.get('d')).toEqual([]);
    expect(advanceContext(afterFined, third).deadlines.has('d')).toBe(false);
  });

  it('matches discovery keys without www and case', () => {
    expect(domainKey('WWW.Tokopedia.com.')).toBe('tokopedia.com');
  });
});
