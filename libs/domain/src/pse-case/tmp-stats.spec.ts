import fc from 'fast-check';
import { historyStepsArb, materialise } from './__fixtures__/scripted-history';
import type { PolicyId } from './pse-case.events';
it('stats', () => {
  const out: Record<string, number[]> = {};
  const add = (k: string, v: number) => (out[k] ??= []).push(v);
  for (const seed of [1, 2, 3, 4, 5]) {
    const c: Record<string, number> = {};
    const inc = (k: string) => (c[k] = (c[k] ?? 0) + 1);
    const arb = fc.constantFrom<PolicyId>('mr5-literal', 'kominfo-2022', 'pp43-2023').chain((p) => historyStepsArb(p, 18).map((s) => [p, s] as const));
    for (const [policy, steps] of fc.sample(arb, { numRuns: 150, seed })) {
      const ev = materialise(policy, steps).reference.events;
      const first = ev.findIndex((e) => e.type === 'AccessBlocked');
      if (first >= 0) inc(ev.slice(0, first).some((p) => p.type === 'WarningIssued') ? 'afterWarning' : 'direct');
      for (const e of ev) {
        if (e.type === 'AccessBlocked') inc('blocks');
        if (['registered', 'reRegistered', 'exempted', 'registrationPending'].includes(e.state.state)) inc('registered');
        if (e.actor.id === 'sanksi-escalation') inc('automatic');
        if (e.type === 'DeadlineElapsed' && e.data.deadline === 'warningResponse') inc('lapsed');
      }
    }
    for (const steps of fc.sample(historyStepsArb('pp43-2023', 18), { numRuns: 150, seed })) {
      for (const e of materialise('pp43-2023', steps).reference.events) {
        if (e.type === 'FineImposed') inc('pp43fines');
        if (e.type === 'AccessBlocked') inc('pp43blocks');
      }
    }
    for (const k of ['afterWarning', 'direct', 'blocks', 'registered', 'automatic', 'lapsed', 'pp43fines', 'pp43blocks']) add(k, c[k] ?? 0);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
});
