import { getPolicy } from '../policies';
import { verifyChain } from '../history/verify-chain';
import { whatIf } from '../history/what-if';
import { at, decideAt, identify, runCommands, warnedCase } from './__fixtures__/pse-case.fixtures';
import { PseCaseCommand } from './pse-case.commands';
import { ValidationFailed } from './pse-case.errors';
import { PseIdentified, type PseCaseEventEnvelope } from './pse-case.events';
import { PSE_ID_MAX_LENGTH, PseId, SingleLineText } from './pse-case.fields';
import { evolve, foldCase, initialCaseSnapshot, toStateAfter } from './pse-case.fold';
import { draftEnvelope, sealEnvelope } from './pse-case.envelope';
import { pseCaseMachine } from './pse-case.machine';
import type { PseCaseContext } from './pse-case.context';

// New facts meet the host-name rule (hostname/hostname.ts) in the command schema and again in `decide`;
// history recorded before the rule still reads, verifies and replays (docs/architecture.md).
const HOSTILE = 'paypal.com\n$INCLUDE /etc/passwd';

function refusal(decision: ReturnType<typeof decideAt>): ValidationFailed {
  if (decision.ok) throw new Error(`accepted with ${decision.events.length} events`);
  if (!(decision.error instanceof ValidationFailed)) throw decision.error;
  return decision.error;
}

describe('decide: domains of new facts', () => {
  it.each([
    [['paypal.com', 'com'], ['domains', 1], 'a public suffix alone (com) cannot be blocked'],
    [[HOSTILE], ['domains', 0], 'characters outside letters, digits and hyphen'],
    [['*'], ['domains', 0], 'a wildcard (*)'],
    [[`${'a'.repeat(64)}.com`], ['domains', 0], 'label longer than 63 characters'],
  ])(
    'given an identification with %j, then ValidationFailed at %j naming the rule',
    (domains, path, message) => {
      const error = refusal(
        decideAt(at('2022-07-18T09:00', identify('x', undefined, domains)), undefined, 'kominfo-2022'),
      );
      expect(error.issues).toEqual([{ path, message: expect.stringContaining(message) }]);
    },
  );

  it('given Unicode, upper case and a trailing dot, when identified, then the event holds A-labels, each once', () => {
    const { events } = runCommands([
      at('2022-07-18T09:00', identify('b', undefined, ['Bücher.de.', 'xn--bcher-kva.de', 'Shop.ID'])),
    ]);
    expect((events[0].data as PseIdentified).domains).toEqual(['xn--bcher-kva.de', 'shop.id']);
  });

  it('given a profile update naming co.id, then ValidationFailed and the case keeps its domains', () => {
    const { snapshot } = runCommands([at('2022-07-18T09:00', identify('u'))]);
    const error = refusal(
      decideAt(
        at('2022-07-19T09:00', { type: 'UpdatePseProfile', pseId: 'u', domains: ['co.id'] }),
        snapshot,
        'kominfo-2022',
      ),
    );
    expect(error.issues[0]).toEqual({ path: ['domains', 0], message: expect.stringContaining('(co.id)') });
    expect(snapshot.context.domains).toEqual(['u.com']);
  });

  it('given a block order naming a newline-laden domain, then ValidationFailed', () => {
    const { snapshot } = runCommands(warnedCase('k', 'mr5-literal'), 'mr5-literal');
    const error = refusal(
      decideAt(
        at('2022-07-24T09:00', { type: 'BlockAccess', pseId: 'k', orderNumber: 'B-1', domains: [HOSTILE] }),
        snapshot,
        'mr5-literal',
      ),
    );
    expect(error.issues[0].path).toEqual(['domains', 0]);
  });
});

/** A case whose identification was recorded before the rule, with `com` and an injection among its domains. */
function legacyHistory(pseId: string): PseCaseEventEnvelope[] {
  const start = initialCaseSnapshot();
  const meta = {
    commandId: 'legacy-1',
    correlationId: 'legacy-1',
    causationId: null,
    actor: { id: 'operator-1', role: 'operator' as const },
    now: '2022-07-18T09:00:00+07:00',
    occurredAt: '2022-07-18T09:00:00+07:00',
  };
  const data = {
    name: 'Legacy',
    origin: 'foreign' as const,
    domains: ['legacy.com', 'com', HOSTILE],
    company: null,
    sector: null,
    policy: 'mr5-literal' as const,
  };
  const partial = draftEnvelope({ type: 'PseIdentified', data }, start, pseId, meta, 'e-0', 'mr5-literal');
  const next = evolve(start, partial);
  const sealed = sealEnvelope(partial, toStateAfter(next));
  const snapshot = pseCaseMachine.resolveState({
    value: next.value,
    context: { ...(next.context as PseCaseContext), lastHash: sealed.hash },
  });
  const warned = decideAt(
    at('2022-07-23T10:00', { type: 'IssueWarning', pseId, letterNumber: 'W-1' }),
    snapshot,
    'mr5-literal',
  );
  if (!warned.ok) throw warned.error;
  return [sealed, ...warned.events];
}

describe('history recorded before the rule', () => {
  it('given a legacy identification with com and an injection, then it still parses, folds and verifies', () => {
    const history = legacyHistory('legacy');
    expect(PseIdentified.safeParse(history[0].data).success).toBe(true);
    expect(foldCase(history).context.domains).toEqual(['legacy.com', 'com', HOSTILE]);
    expect(verifyChain(history)).toMatchObject({ ok: true });
  });

  it('given a legacy case, when blocked without naming domains, then ValidationFailed names the recorded domain', () => {
    const history = legacyHistory('legacy');
    const error = refusal(
      decideAt(
        at('2022-07-31T09:00', { type: 'BlockAccess', pseId: 'legacy', orderNumber: 'B-1' }),
        foldCase(history),
        'mr5-literal',
      ),
    );
    expect(error.issues).toEqual([
      {
        path: ['domains'],
        message: expect.stringMatching(/^a recorded domain of the case cannot be blocked .*\(com\)/),
      },
    ]);
  });

  it('given a legacy case, when blocked naming its valid domain, then the block is recorded', () => {
    const history = legacyHistory('legacy');
    const decision = decideAt(
      at('2022-07-31T09:00', {
        type: 'BlockAccess',
        pseId: 'legacy',
        orderNumber: 'B-1',
        domains: ['legacy.com'],
      }),
      foldCase(history),
      'mr5-literal',
    );
    expect(decision.ok).toBe(true);
  });

  it('given a legacy case, when asked what-if under another policy, then its commands are re-decided without refusal', () => {
    const report = whatIf(legacyHistory('legacy'), getPolicy('kominfo-2022'));
    expect(report.steps.map((s) => s.alternative.ok)).toEqual([true, true]);
  });
});

describe('command schema at the edges', () => {
  const base = { type: 'IdentifyPse', name: 'X', origin: 'foreign', domains: ['x.com'] };

  it.each([
    ['a'.repeat(PSE_ID_MAX_LENGTH), true],
    ['a'.repeat(PSE_ID_MAX_LENGTH + 1), false],
    ['reg-123', true],
    ['pse-0f1e', true],
    ['-x', false],
    ['a/b', false],
    ['', false],
  ])('given the pseId %p, then accepted: %p', (pseId, ok) => {
    expect(PseId.safeParse(pseId).success).toBe(ok);
    expect(PseCaseCommand.safeParse({ ...base, pseId }).success).toBe(ok);
  });

  it.each([
    ['name', 'PayPal\u001b[2J'],
    ['name', 'Line one\nLine two'],
    ['company', 'PT\tX'],
    ['sector', 'IT\u009b31m'],
  ])('given a control character in %s, then the command is refused naming it', (field, value) => {
    const result = PseCaseCommand.safeParse({ ...base, pseId: 'x', [field]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: [field],
      message: expect.stringMatching(/^control character U\+00[0-9A-F]{2} at position \d+/),
    });
  });

  it.each([
    { type: 'IssueWarning', pseId: 'x', letterNumber: 'B-1\r\nX' },
    { type: 'RejectRegistration', pseId: 'x', reason: 'no\u0007' },
    { type: 'RecordFinePayment', pseId: 'x', fineId: 'F1', amountIdr: 1, reference: 'R\u0000' },
    { type: 'BlockAccess', pseId: 'x', orderNumber: 'B\u007f' },
  ])('given a control character in a text field of $type, then the command is refused', (command) => {
    expect(PseCaseCommand.safeParse(command).success).toBe(false);
  });

  it('given ordinary text with Indonesian and punctuation, then it is accepted', () => {
    expect(SingleLineText.safeParse('Surat B-123/DJAI/07/2022 — “teguran tertulis” (ke-1)').success).toBe(
      true,
    );
  });

  it('given the domain com or a newline domain in a command, then the schema refuses it', () => {
    for (const domains of [['com'], [HOSTILE]]) {
      const result = PseCaseCommand.safeParse({ ...base, pseId: 'x', domains });
      expect(result.error?.issues[0].path).toEqual(['domains', 0]);
    }
  });
});
