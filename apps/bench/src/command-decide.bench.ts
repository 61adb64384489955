// The command path's own CPU, without a store: `CaseCommandService` over a stub whose every append succeeds
// at once (no I/O, no group commit, no expected-revision check worth the name), one caller, each case opened
// and warned as `command-path` does. What is left is what a command costs above its append: validation
// (`execute` parses, `executeParsed` takes what the HTTP edge validated), the idempotency digest, `decide`
// (statechart, rules, calendar, hash chain, event ids), the head cache and the mapping to stored events.
// On a shared machine the wall clock says little; this prints this process's CPU time per command, the
// median of BENCH_SLICES (default 8) slices of BENCH_DECIDE_CASES cases (default 3,000: 6,000 commands).
// Beside `command-path` (the same commands appended for real) it tells the command from the store.
import { CaseCommandService, type ParsedCommand, parseCommand } from '@sanksi/application';
import type { Actor, PseCaseCommand } from '@sanksi/domain';
import type { AppendResult, EventStore } from '@sanksi/event-store';

const CASES = Math.max(1, Number(process.env.BENCH_DECIDE_CASES ?? '3000'));
const SLICES = Math.max(1, Number(process.env.BENCH_SLICES ?? '8'));
const ACTOR: Actor = { id: 'bench-operator', role: 'operator' };

/** Only what the command path calls on a new case's fast path; the rest is never reached here. */
function stubStore(): EventStore {
  let position = 0;
  const stub: Pick<EventStore, 'appendToStream' | 'readStream'> = {
    appendToStream: async (_stream, events): Promise<AppendResult> => {
      position += events.length;
      return { nextExpectedRevision: events.length - 1, position, duplicate: false };
    },
    readStream: async () => [],
  };
  return stub as EventStore;
}

function commandsOf(pseId: string): Array<{ command: PseCaseCommand; occurredAt: string }> {
  return [
    {
      command: {
        type: 'IdentifyPse',
        pseId,
        name: `Bench system ${pseId}`,
        origin: 'foreign',
        domains: [`${pseId}.example.com`],
        company: null,
        sector: null,
        policy: 'kominfo-2022',
      },
      occurredAt: '2022-07-21T09:00:00+07:00',
    },
    {
      command: { type: 'IssueWarning', pseId, letterNumber: `B-${pseId}/DJAI/2022` },
      occurredAt: '2022-07-23T09:00:00+07:00',
    },
  ];
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1];

/** Prints the CPU µs per command of `execute` and `executeParsed` over a store that costs nothing. */
export async function run(): Promise<void> {
  const service = new CaseCommandService(stubStore(), { defaultPolicy: 'kominfo-2022' });
  // `executeParsed` is handed commands parsed before the clock starts: what the HTTP edge hands over.
  const lines = [
    { label: 'execute', parsedFirst: false },
    { label: 'executeParsed', parsedFirst: true },
  ];
  const cpu = new Map<string, number[]>(lines.map((l) => [l.label, []]));
  let next = 0;
  for (let slice = -1; slice < SLICES; slice++) {
    // The lines alternate in every slice so they share the machine's noise; slice -1 warms the JIT up.
    for (const line of slice % 2 === 0 ? lines : [...lines].reverse()) {
      const work = Array.from({ length: CASES }, () => commandsOf(`bench-${next++}`));
      const commands = line.parsedFirst
        ? work.map((pair) =>
            pair.map(({ command, occurredAt }) => ({ command: parseCommand(command), occurredAt })),
          )
        : work;
      const before = process.cpuUsage();
      for (const pair of commands) {
        for (const { command, occurredAt } of pair) {
          const context = { actor: ACTOR, occurredAt };
          if (line.parsedFirst) await service.executeParsed(command as ParsedCommand, context);
          else await service.execute(command, context);
        }
      }
      const spent = process.cpuUsage(before);
      if (slice >= 0) cpu.get(line.label)?.push((spent.user + spent.system) / (CASES * 2));
    }
  }
  console.log(
    `  CaseCommandService over a stub store (appends succeed at once), 1 caller, ${SLICES} slices of ${CASES} cases (open + warning)`,
  );
  for (const [label, values] of cpu) {
    console.log(
      `  ${label.padEnd(14)} CPU ${median(values).toFixed(1).padStart(6)} µs/command (median; slices ${values.map((v) => v.toFixed(0)).join(' ')})`,
    );
  }
}
