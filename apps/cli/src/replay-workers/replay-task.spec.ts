import {
  decide,
  foldCase,
  getPolicy,
  type PolicyId,
  type PseCaseCommand,
  type PseCaseEventEnvelope,
} from '@sanksi/domain';
import { runReplayChunk } from './replay-task';

const OPERATOR = { id: 'operator-1', role: 'operator' } as const;

/** A case's events from commands at WIB local times, decided as the command path would. */
function history(policy: PolicyId, commands: Array<[string, PseCaseCommand]>): PseCaseEventEnvelope[] {
  const events: PseCaseEventEnvelope[] = [];
  commands.forEach(([local, command], i) => {
    const instant = `${local}:00+07:00`;
    const decision = decide(command, events.length ? foldCase(events) : undefined, getPolicy(policy), {
      commandId: `${command.pseId}-${i}`,
      correlationId: `${command.pseId}-${i}`,
      actor: OPERATOR,
      now: instant,
      occurredAt: instant,
    });
    if (!decision.ok) throw decision.error;
    events.push(...decision.events);
  });
  return events;
}

const identify = (pseId: string): [string, PseCaseCommand] => [
  '2022-07-18T09:00',
  {
    type: 'IdentifyPse',
    pseId,
    name: pseId,
    origin: 'domestic',
    domains: [`${pseId}.co.id`],
    company: null,
    sector: null,
    policy: 'pp43-2023',
  },
];

describe('runReplayChunk (what-if)', () => {
  it('given a lapsed pp43-2023 warning and a registered case, when re-decided under kominfo-2022, then both count and only the differing one is a finding', () => {
    const warned = history('pp43-2023', [
      identify('shop'),
      ['2022-07-23T10:00', { type: 'IssueWarning', pseId: 'shop', letterNumber: 'B-1/2022' }],
    ]);
    const registered = history('pp43-2023', [
      identify('bank'),
      [
        '2022-07-19T09:00',
        { type: 'ConfirmRegistration', pseId: 'bank', registrationNumber: '000001.01/DJAI.PSE/07/2022' },
      ],
    ]);
    const result = runReplayChunk(
      { kind: 'what-if', policy: 'kominfo-2022', until: '2022-08-01T23:59:59+07:00' },
      {
        first: 10,
        cases: [
          { pseId: 'bank', envelopes: registered },
          { pseId: 'shop', envelopes: warned },
        ],
      },
    );
    expect(result).toMatchObject({
      cases: 2,
      events: 4,
      counts: { recorded: { registered: 1, warned: 1 }, alternative: { registered: 1, blocked: 1 } },
    });
    expect(result.findings.map((f) => [f.order, f.finding.pseId])).toEqual([[11, 'shop']]);
    expect(result.findings[0].finding).toMatchObject({
      until: '2022-08-01T23:59:59+07:00',
      divergence: {
        index: 2,
        recorded: null,
        alternative: { type: 'DeadlineElapsed', occurredAt: '2022-07-29T23:59:59+07:00' },
      },
    });
  });

  it('given the same chunk, when asked up to before the warning is due, then nothing differs and nothing is found', () => {
    const warned = history('pp43-2023', [
      identify('shop'),
      ['2022-07-23T10:00', { type: 'IssueWarning', pseId: 'shop', letterNumber: 'B-1/2022' }],
    ]);
    const result = runReplayChunk(
      { kind: 'what-if', policy: 'kominfo-2022', until: '2022-07-29T23:59:58+07:00' },
      { first: 0, cases: [{ pseId: 'shop', envelopes: warned }] },
    );
    expect(result).toEqual({
      cases: 1,
      events: 2,
      findings: [],
      counts: { recorded: { warned: 1 }, alternative: { warned: 1 } },
    });
  });

  it('given a verify task, then no counts are carried', () => {
    const result = runReplayChunk({ kind: 'verify' }, { first: 0, cases: [] });
    expect(result).toEqual({ cases: 0, events: 0, findings: [] });
  });
});
