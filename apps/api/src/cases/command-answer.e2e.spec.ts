import type { PseCaseEventEnvelope } from '@sanksi/domain';
import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';

// What a command answers (docs/decisions/0011): the case after it, its next deadline and the appended
// events by reference; the events whole only when the request says `Prefer: return=representation`.

const operator = { authorization: `Bearer ${TEST_KEYS.operator}` };
const REFERENCE_FIELDS = ['eventId', 'type', 'revision', 'occurredAt'];

type Answer = {
  pseId: string;
  version: number;
  state: string;
  substate: string | null;
  nextDeadline: unknown;
  events: Array<Record<string, unknown>>;
  fineId?: string | null;
};

describe('command answers: events by reference, whole on request (Prefer: return=representation)', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApiHarness({}, { now: '2022-10-01T00:00:00Z' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url, payload, headers: { ...operator, ...headers } });
  const stored = async (pseId: string): Promise<PseCaseEventEnvelope[]> =>
    (
      await h.app.inject({
        method: 'GET',
        url: `/v1/cases/${pseId}/events`,
        headers: { authorization: `Bearer ${TEST_KEYS.analyst}` },
      })
    ).json().events;
  const referenceOf = (e: PseCaseEventEnvelope) => ({
    eventId: e.eventId,
    type: e.type,
    revision: e.revision,
    occurredAt: e.occurredAt,
  });
  const open = (pseId: string, headers: Record<string, string> = {}) =>
    post(
      '/v1/cases',
      {
        pseId,
        name: `System ${pseId}`,
        origin: 'foreign',
        domains: [`${pseId}.example`],
        policy: 'pp43-2023',
        occurredAt: '2022-07-21T09:00:00+07:00',
      },
      headers,
    );

  it('given no preference, when a case is opened and warned, then each answer names its events by reference, with the state and next deadline', async () => {
    const opened = await open('ref-shop');
    const warned = await post('/v1/cases/ref-shop/warnings', {
      letterNumber: 'B-1/DJAI/2022',
      occurredAt: '2022-07-22T09:00:00+07:00',
    });

    expect(opened.statusCode).toBe(201);
    expect(warned.statusCode).toBe(201);
    const [identified, warning] = await stored('ref-shop');
    const openAnswer = opened.json() as Answer;
    expect(Object.keys(openAnswer).sort()).toEqual([
      'events',
      'nextDeadline',
      'pseId',
      'state',
      'substate',
      'version',
    ]);
    expect(openAnswer).toEqual({
      pseId: 'ref-shop',
      version: 1,
      state: identified.state.state,
      substate: identified.state.substate,
      nextDeadline: identified.state.nextDeadline,
      events: [referenceOf(identified)],
    });
    const warnAnswer = warned.json() as Answer;
    expect(warnAnswer).toEqual({
      pseId: 'ref-shop',
      version: 2,
      state: 'warned',
      substate: warning.state.substate,
      nextDeadline: warning.state.nextDeadline,
      events: [referenceOf(warning)],
    });
    expect(warnAnswer.nextDeadline).toMatchObject({ kind: 'warningResponse' });
    expect(Object.keys(warnAnswer.events[0]).sort()).toEqual([...REFERENCE_FIELDS].sort());
    expect(warned.headers['etag']).toBe('"2"');
    expect(warned.headers['vary']).toBe('Prefer');
    expect(warned.headers['preference-applied']).toBeUndefined();
  });

  it('given Prefer: return=representation, when a command is applied, then its events are whole, exactly as stored, and the preference is confirmed', async () => {
    const opened = await open('whole-shop', { prefer: 'return=representation' });
    const warned = await post(
      '/v1/cases/whole-shop/warnings',
      { letterNumber: 'B-2/DJAI/2022', occurredAt: '2022-07-22T09:00:00+07:00' },
      // Other preferences, parameters, quotes and case are allowed around it (RFC 7240).
      { prefer: 'respond-async, wait=10, RETURN="Representation"; x=1' },
    );

    const events = await stored('whole-shop');
    expect(opened.headers['preference-applied']).toBe('return=representation');
    expect(warned.headers['preference-applied']).toBe('return=representation');
    expect((opened.json() as Answer).events).toEqual([events[0]]);
    expect((warned.json() as Answer).events).toEqual([events[1]]);
    expect(warned.json()).toMatchObject({
      version: 2,
      state: 'warned',
      nextDeadline: events[1].state.nextDeadline,
    });
  });

  it('given Prefer: return=minimal, then references and the preference confirmed; given a value the server does not know, then references and no confirmation', async () => {
    const minimal = await open('minimal-shop', { prefer: 'return=minimal' });
    const unknown = await open('unknown-pref-shop', { prefer: 'return=everything' });

    expect(minimal.headers['preference-applied']).toBe('return=minimal');
    expect(unknown.headers['preference-applied']).toBeUndefined();
    for (const answer of [minimal, unknown]) {
      expect(answer.statusCode).toBe(201);
      expect(Object.keys((answer.json() as Answer).events[0]).sort()).toEqual([...REFERENCE_FIELDS].sort());
    }
  });

  it('given an idempotent retry, when answered again, then the first outcome by reference, or whole when asked, and nothing appended', async () => {
    const key = { 'idempotency-key': 'answer-retry-1' };
    const first = await open('retry-shop', key);
    const again = await open('retry-shop', key);
    const whole = await open('retry-shop', { ...key, prefer: 'return=representation' });

    const events = await stored('retry-shop');
    expect(events).toHaveLength(1);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replay']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(whole.statusCode).toBe(200);
    expect((whole.json() as Answer).events).toEqual(events);
  });

  it('given a fine dated after the warning lapsed, when imposed, then the answer names the fine and both events of its append by reference', async () => {
    await open('fine-shop');
    await post('/v1/cases/fine-shop/warnings', {
      letterNumber: 'B-3/DJAI/2022',
      occurredAt: '2022-07-22T09:00:00+07:00',
    });
    const fined = await post('/v1/cases/fine-shop/fines', {
      decisionNumber: 'KEP-3/2022',
      amountIdr: 10_000_000,
      occurredAt: '2022-09-20T09:00:00+07:00',
    });

    expect(fined.statusCode).toBe(201);
    const events = await stored('fine-shop');
    const answer = fined.json() as Answer;
    const appended = events.slice(2);
    expect(appended.map((e) => e.type)).toEqual(['DeadlineElapsed', 'FineImposed']);
    expect(answer).toEqual({
      pseId: 'fine-shop',
      version: events.length,
      state: 'fined',
      substate: appended[1].state.substate,
      nextDeadline: appended[1].state.nextDeadline,
      events: appended.map(referenceOf),
      fineId: 'F1',
    });
    expect(answer.nextDeadline).toMatchObject({ kind: 'finePayment', fineId: 'F1' });
  });
});
