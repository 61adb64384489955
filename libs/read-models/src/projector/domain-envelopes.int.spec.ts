import {
  type CommandMetadata,
  decide,
  getPolicy,
  initialCaseSnapshot,
  type PseCaseCommand,
  type PseCaseEventEnvelope,
} from '@sanksi/domain';
import { createEventStore, type EventStore } from '@sanksi/event-store';
import * as testing from '@sanksi/testing';
import path from 'node:path';
import { type OpenedBackend, readModelBackends } from '../testing/read-model-backends.harness';
import { Projector } from './projector';

// Real databases on a shared machine: allow for slow I/O (no assertion depends on time).
jest.setTimeout(60_000);

/** Runs commands through the real decider, as the application does, failing loudly on a refusal. */
function decideAll(commands: Array<{ command: PseCaseCommand; at: string }>): PseCaseEventEnvelope[] {
  let snapshot = initialCaseSnapshot();
  const out: PseCaseEventEnvelope[] = [];
  commands.forEach(({ command, at }, i) => {
    const meta: CommandMetadata = {
      commandId: `cmd-${i}`,
      correlationId: `cmd-${i}`,
      actor: { id: 'op-1', role: 'operator' },
      now: at,
      occurredAt: at,
    };
    const decision = decide(command, snapshot, getPolicy('kominfo-2022'), meta);
    if (!decision.ok) throw decision.error;
    out.push(...decision.events);
    snapshot = decision.snapshot;
  });
  return out;
}

const { sqlite } = readModelBackends(testing);

describe('projector on envelopes built by the real domain', () => {
  let dir: testing.TemporaryDirectory;
  let events: EventStore;
  let db: OpenedBackend;
  beforeEach(async () => {
    dir = testing.temporaryDirectory('sanksi-domain-rm');
    events = createEventStore({ kind: 'sqlite', file: path.join(dir.path, 'events.db') });
    db = await sqlite.open();
  });
  afterEach(async () => {
    await events.close();
    await db.cleanup();
    dir.remove();
  });

  it('given PayPal’s 2022 history decided by the machine, when projected, then the read models follow its recorded states', async () => {
    const history = decideAll([
      {
        command: {
          type: 'IdentifyPse',
          pseId: 'paypal',
          name: 'PayPal',
          origin: 'foreign',
          domains: ['paypal.com', 'www.paypal.com'],
          company: null,
          sector: null,
          policy: 'kominfo-2022',
        },
        at: '2022-07-18T09:00:00+07:00',
      },
      {
        command: { type: 'IssueWarning', pseId: 'paypal', letterNumber: 'B-1/DJAI/07/2022' },
        at: '2022-07-23T10:00:00+07:00',
      },
      // kominfo-2022 blocks by itself when the warning lapses, dated at the due instant (docs/decisions/0004)
      {
        command: { type: 'ElapseDeadline', pseId: 'paypal', deadline: 'warningResponse' },
        at: '2022-07-30T00:00:00+07:00',
      },
    ]);
    for (const e of history) {
      const { eventId, type, data, schemaVersion, ...metadata } = e;
      await events.appendToStream(`pse-${e.pseId}`, [{ eventId, type, data, schemaVersion, metadata }], {
        expectedRevision: 'any',
      });
    }

    const projector = new Projector({ source: events, store: db.store });
    await projector.runOnce();

    expect(await db.store.getCaseSummary('paypal')).toMatchObject({
      state: 'blocked',
      substate: 'enforced',
      onBlocklist: true,
      warnings: 1,
      blocks: 1,
      version: history.length,
    });
    expect((await db.store.getBlocklist()).entries.map((e) => e.domain)).toEqual([
      'paypal.com',
      'www.paypal.com',
    ]);
    const lines = (await db.store.getTimeline('paypal')).map((t) => t.line);
    expect(lines[1]).toMatch(
      /^2022-07-23 10:00 WIB — Written warning issued \(letter B-1\/DJAI\/07\/2022\), response due 2022-07-29 23:59 WIB$/,
    );
    expect(lines[lines.length - 1]).toBe(
      '2022-07-29 23:59 WIB — Access blocked automatically (order AUTO/paypal/2): paypal.com, www.paypal.com',
    );
    expect((await db.store.getStateCounts('2022-07-30')).counts.blocked).toBe(1);
  });
});
