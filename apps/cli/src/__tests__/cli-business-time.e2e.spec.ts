import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { CLI, tempDir } from './cli-process.fixture';
import { freePort } from '@sanksi/testing';

// Issue 9, "the rule" item 5 (docs/regulation.md §9.1, §9.5): the 2022 story through the HTTP API of two
// real `sanksi serve` processes, scheduler on, real clock (every 2022 deadline long overdue). Run A sends
// each command at once; run B waits after each one until the scheduler has caught the case up. Business
// time decides, so both give the same history, the same as-of answers and the same blocklist.
jest.setTimeout(240_000);

const KEYS = {
  operator: 'sk_operator_business-time-e2e',
  analyst: 'sk_analyst_business-time-e2e',
  service: 'sk_service_business-time-e2e',
  admin: 'sk_admin_business-time-e2e',
};
/** The actor id the API records for a key: its role and the first 8 hex digits of its SHA-256. */
const actorOf = (role: 'operator', key: string) =>
  `${role}:${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
const OPERATOR = actorOf('operator', KEYS.operator);
const SCHEDULER = 'sanksi-scheduler';
const ESCALATION = 'sanksi-escalation';
/** A warning dated Saturday 23 July 2022 with 5 working days (docs/regulation.md §9.4). */
const DUE = '2022-07-29T23:59:59+07:00';
const POLL_MS = 100;
const WAIT_MS = 30_000;

type Json = Record<string, unknown>;
interface Served {
  base: string;
  stop: () => Promise<number | null>;
}
interface Step {
  pseId: string;
  path: string;
  body: Json;
  /** The status the command must get (the late block order is refused). */
  status: number;
}
interface Answer {
  step: Step;
  status: number;
  body: Json;
}
interface StoredEvent {
  eventId: string;
  commandId: string;
  type: string;
  data: Record<string, unknown>;
  occurredAt: string;
  actor: { id: string };
  causationId: string | null;
  state: {
    state: string;
    substate: string | null;
    onBlocklist: boolean;
    deadlines: Array<{ kind: string; dueAt: string; fineId: string | null }>;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `sanksi serve` (projector and scheduler on) on a free port over an empty data directory. */
async function serve(name: string): Promise<Served> {
  const { dir, cleanup } = tempDir(`business-time-${name}`);
  const port = await freePort();
  const apiKeys = Object.entries(KEYS)
    .map(([role, key]) => `${role}:${key}`)
    .join(',');
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port)], {
    env: {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
      SANKSI_DATA_DIR: dir,
      SANKSI_LOG_LEVEL: 'warn',
      SANKSI_API_KEYS: apiKeys,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    const code = await exited;
    cleanup();
    return code;
  };
  const started = Date.now();
  while (!out.includes('Sanksi is serving on')) {
    if (child.exitCode !== null || Date.now() - started > WAIT_MS) {
      await stop();
      throw new Error(`sanksi serve (${name}) did not start:\n${out}`);
    }
    await sleep(POLL_MS);
  }
  return { base: `http://127.0.0.1:${port}`, stop };
}

async function request(
  server: Served,
  path: string,
  init: { key: string; body?: Json; idempotencyKey?: string },
): Promise<{ status: number; body: Json; text: string }> {
  const response = await fetch(`${server.base}${path}`, {
    method: init.body ? 'POST' : 'GET',
    headers: {
      authorization: `Bearer ${init.key}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.idempotencyKey ? { 'idempotency-key': init.idempotencyKey } : {}),
    },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json')
    ? (JSON.parse(text) as Json)
    : {};
  return { status: response.status, body: json, text };
}

/** Polls `probe` until it returns a value, or fails naming what it waited for. */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > WAIT_MS) throw new Error(`timed out waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

async function eventsOf(server: Served, pseId: string): Promise<StoredEvent[]> {
  const { status, body } = await request(server, `/v1/cases/${pseId}/events`, { key: KEYS.analyst });
  if (status !== 200) throw new Error(`GET events of ${pseId}: ${status}`);
  return body.events as StoredEvent[];
}

/** The case's authoritative history once no deadline of it is due by the clock (the scheduler caught up). */
async function caughtUp(server: Served, pseId: string): Promise<StoredEvent[]> {
  return until(`the scheduler to catch ${pseId} up`, async () => {
    const events = await eventsOf(server, pseId);
    const last = events[events.length - 1];
    return last.state.deadlines.every((d) => Date.parse(d.dueAt) > Date.now()) ? events : undefined;
  });
}

/** Every case caught up, projected (summary at the stream's version) and the blocklist stable. */
async function settled(server: Served, pseIds: readonly string[]): Promise<void> {
  for (const pseId of pseIds) {
    const version = (await caughtUp(server, pseId)).length;
    await until(`the projection of ${pseId} at version ${version}`, async () => {
      const { status, body } = await request(server, `/v1/cases/${pseId}`, { key: KEYS.analyst });
      return status === 200 && body.version === version ? true : undefined;
    });
  }
  let previous = '';
  await until('a stable blocklist', async () => {
    const { text } = await request(server, '/v1/blocklist?format=json', { key: KEYS.service });
    const entries = JSON.stringify((JSON.parse(text) as { entries: unknown }).entries);
    const stable = entries === previous;
    previous = entries;
    return stable ? true : undefined;
  });
}

/** Sends the story; with `waitForScheduler`, waits after each command until the case is caught up. */
async function tell(server: Served, steps: readonly Step[], waitForScheduler: boolean): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const [i, step] of steps.entries()) {
    const { status, body } = await request(server, step.path, {
      key: KEYS.operator,
      body: step.body,
      idempotencyKey: `${step.pseId}-${i}`,
    });
    answers.push({ step, status, body });
    if (waitForScheduler) await caughtUp(server, step.pseId);
  }
  return answers;
}

const wib = (local: string) => `${local}:00+07:00`;
const at = (local: string) => ({ occurredAt: wib(local) });
const open = (pseId: string, name: string, domains: string[], policy: string, local: string): Step => ({
  pseId,
  path: '/v1/cases',
  body: { pseId, name, origin: 'foreign', domains, policy, ...at(local) },
  status: 201,
});
const command = (pseId: string, route: string, body: Json, local: string, status = 201): Step => ({
  pseId,
  path: `/v1/cases/${pseId}/${route}`,
  body: { ...body, ...at(local) },
  status,
});
const warn = (pseId: string, local: string, letter = `B-${pseId}/DJAI/07/2022`) =>
  command(pseId, 'warnings', { letterNumber: letter }, local);

const BLOCK_ORDER = command(
  'paypal',
  'blocks',
  { orderNumber: 'ORD-7/DJAI/07/2022' },
  '2022-07-30T00:00',
  409,
);
const LATE_BLOCK_REASON =
  'already blocked (enforced) since 2022-07-29T23:59:59+07:00 by automatic escalation (the warningResponse deadline elapsed)';

/** docs/regulation.md §10: the July–August 2022 story, and a PP 43/2023 fine paid in part. */
const STORY: Step[] = [
  open('paypal', 'PayPal', ['paypal.com'], 'kominfo-2022', '2022-07-18T09:00'),
  warn('paypal', '2022-07-23T10:00'),
  // the operator's block order, dated the morning after the warning lapsed, sent before anything else
  BLOCK_ORDER,
  command(
    'paypal',
    'temporary-restorations',
    { until: wib('2022-08-05T23:59'), reason: 'users withdraw their funds' },
    '2022-07-31T08:00',
  ),
  command(
    'paypal',
    'registrations/confirmation',
    { registrationNumber: '006860.01/DJAI.PSE/08/2022' },
    '2022-08-03T10:00',
  ),
  open('valve', 'Steam', ['steampowered.com', 'steamcommunity.com'], 'kominfo-2022', '2022-07-18T09:00'),
  warn('valve', '2022-07-23T10:00'),
  command('valve', 'registrations', { channel: 'oss' }, '2022-08-02T12:00'),
  command(
    'valve',
    'registrations/confirmation',
    { registrationNumber: '006901.01/DJAI.PSE/08/2022' },
    '2022-08-11T10:00',
  ),
  open('xandr', 'Xandr', ['xandr.com'], 'kominfo-2022', '2022-07-18T09:00'),
  warn('xandr', '2022-07-23T10:00'),
  command('xandr', 'exemptions', { reason: 'not obliged to register' }, '2022-07-31T15:00'),
  open('lapsed', 'Lapsed Restoration', ['lapsed.example'], 'kominfo-2022', '2022-07-18T09:00'),
  warn('lapsed', '2022-07-23T10:00'),
  command(
    'lapsed',
    'temporary-restorations',
    { until: wib('2022-08-05T23:59'), reason: 'a window to register' },
    '2022-07-31T08:00',
  ),
  open('fined', 'Denda Sebagian', ['fined.example'], 'pp43-2023', '2024-03-01T09:00'),
  warn('fined', '2024-03-01T10:00', 'B-fined/DJAI/03/2024'),
  command(
    'fined',
    'fines',
    { decisionNumber: 'KEP-1/DJAI/03/2024', amountIdr: 1_000_000_000 },
    '2024-03-20T10:00',
  ),
  command(
    'fined',
    'fines/F1/payments',
    { amountIdr: 400_000_000, reference: 'SIMPONI-1' },
    '2024-03-25T10:00',
  ),
];
const CASES = ['paypal', 'valve', 'xandr', 'lapsed', 'fined'] as const;
type CaseId = (typeof CASES)[number];

type Row = [type: string, occurredAt: string, actor: string, state: string, onBlocklist: boolean];
const label = (s: { state: string | null; substate: string | null }) =>
  s.substate ? `${s.state}.${s.substate}` : s.state;
const rows = (events: StoredEvent[]): Row[] =>
  effective(events).map((e) => [e.type, e.occurredAt, e.actor.id, label(e.state) ?? '', e.state.onBlocklist]);

/**
 * The history as it stands: without retraction markers and the automatic events they retracted (a fact
 * recorded after the scheduler ran ahead of it retracts what it contradicts; docs/decisions/0004).
 */
function effective(events: StoredEvent[]): StoredEvent[] {
  const retracted = new Set(
    events.filter((e) => e.type === 'ConsequencesRetracted').flatMap((e) => e.data.retracted as string[]),
  );
  return events.filter((e) => e.type !== 'ConsequencesRetracted' && !retracted.has(e.eventId));
}

/** Cases whose story has a fact dated before a deadline the scheduler reaches first when it waits. */
const RETRACTED_WHEN_WAITING: Partial<Record<CaseId, string[]>> = {
  // the restoration window (to 08-05) ends before the registration dated 08-03 is sent
  paypal: ['DeadlineElapsed'],
  // the payment deadline (04-19) lapses before the payment dated 03-25 is sent
  fined: ['DeadlineElapsed'],
};

/** The history every run must record, automatic events dated at their due instants. */
const EXPECTED_EVENTS: Record<CaseId, Row[]> = {
  paypal: [
    ['PseIdentified', wib('2022-07-18T09:00'), OPERATOR, 'unregistered', false],
    ['WarningIssued', wib('2022-07-23T10:00'), OPERATOR, 'warned', false],
    ['DeadlineElapsed', DUE, SCHEDULER, 'warned', false],
    ['AccessBlocked', DUE, ESCALATION, 'blocked.enforced', true],
    ['AccessTemporarilyRestored', wib('2022-07-31T08:00'), OPERATOR, 'blocked.temporarilyRestored', false],
    ['RegistrationConfirmed', wib('2022-08-03T10:00'), OPERATOR, 'reRegistered', false],
    ['AccessRestored', wib('2022-08-03T10:00'), OPERATOR, 'reRegistered', false],
  ],
  valve: [
    ['PseIdentified', wib('2022-07-18T09:00'), OPERATOR, 'unregistered', false],
    ['WarningIssued', wib('2022-07-23T10:00'), OPERATOR, 'warned', false],
    ['DeadlineElapsed', DUE, SCHEDULER, 'warned', false],
    ['AccessBlocked', DUE, ESCALATION, 'blocked.enforced', true],
    // kominfo-2022 normalises on submission (docs/regulation.md §4.3)
    ['RegistrationSubmitted', wib('2022-08-02T12:00'), OPERATOR, 'registrationPending', false],
    ['AccessRestored', wib('2022-08-02T12:00'), OPERATOR, 'registrationPending', false],
    ['RegistrationConfirmed', wib('2022-08-11T10:00'), OPERATOR, 'reRegistered', false],
  ],
  xandr: [
    ['PseIdentified', wib('2022-07-18T09:00'), OPERATOR, 'unregistered', false],
    ['WarningIssued', wib('2022-07-23T10:00'), OPERATOR, 'warned', false],
    ['DeadlineElapsed', DUE, SCHEDULER, 'warned', false],
    ['AccessBlocked', DUE, ESCALATION, 'blocked.enforced', true],
    ['ExemptionGranted', wib('2022-07-31T15:00'), OPERATOR, 'exempted', false],
    ['AccessRestored', wib('2022-07-31T15:00'), OPERATOR, 'exempted', false],
  ],
  lapsed: [
    ['PseIdentified', wib('2022-07-18T09:00'), OPERATOR, 'unregistered', false],
    ['WarningIssued', wib('2022-07-23T10:00'), OPERATOR, 'warned', false],
    ['DeadlineElapsed', DUE, SCHEDULER, 'warned', false],
    ['AccessBlocked', DUE, ESCALATION, 'blocked.enforced', true],
    ['AccessTemporarilyRestored', wib('2022-07-31T08:00'), OPERATOR, 'blocked.temporarilyRestored', false],
    // the window ends and the block is enforced again (docs/regulation.md §4.4, §12.4)
    ['DeadlineElapsed', wib('2022-08-05T23:59'), SCHEDULER, 'blocked.enforced', true],
  ],
  fined: [
    ['PseIdentified', wib('2024-03-01T09:00'), OPERATOR, 'unregistered', false],
    ['WarningIssued', wib('2024-03-01T10:00'), OPERATOR, 'warned', false],
    // pp43-2023 escalates by hand: the lapsed warning waits in the queue (docs/regulation.md §8)
    ['DeadlineElapsed', '2024-03-08T23:59:59+07:00', SCHEDULER, 'warned', false],
    ['FineImposed', wib('2024-03-20T10:00'), OPERATOR, 'fined', false],
    ['FinePaid', wib('2024-03-25T10:00'), OPERATOR, 'fined', false],
    // 30 calendar days from 20 March
    ['DeadlineElapsed', '2024-04-19T23:59:59+07:00', SCHEDULER, 'fined', false],
  ],
};

interface AsOfAnswer {
  version: number;
  state: string | null;
  substate: string | null;
  context: {
    onBlocklist: boolean;
    since: string;
    fines: { imposedIdr: number; paidIdr: number; outstandingIdr: number };
    escalation: { pending: boolean; allowed: string[] };
  } | null;
}
type Expected = [asOf: string, state: string, onBlocklist: boolean];
const noon = (date: string) => `${date}T12:00`;
const KOMINFO_DATES = ['2022-07-29', '2022-07-30', '2022-08-01', '2022-08-04', '2022-08-06', '2022-08-12'];
const PP43_DATES = ['2024-03-04', '2024-03-11', '2024-03-22', '2024-03-26', '2024-04-22'];
const expectAt = (dates: string[], states: Array<[string, boolean]>): Expected[] =>
  dates.map((date, i) => [noon(date), states[i][0], states[i][1]]);

/** What `GET /v1/cases/{id}/state?asOf=` answers at noon WIB on each date. */
const EXPECTED_AS_OF: Record<CaseId, Expected[]> = {
  paypal: expectAt(KOMINFO_DATES, [
    ['warned', false],
    ['blocked.enforced', true],
    ['blocked.temporarilyRestored', false],
    ['reRegistered', false],
    ['reRegistered', false],
    ['reRegistered', false],
  ]),
  valve: expectAt(KOMINFO_DATES, [
    ['warned', false],
    ['blocked.enforced', true],
    ['blocked.enforced', true],
    ['registrationPending', false],
    ['registrationPending', false],
    ['reRegistered', false],
  ]),
  xandr: expectAt(KOMINFO_DATES, [
    ['warned', false],
    ['blocked.enforced', true],
    ['exempted', false],
    ['exempted', false],
    ['exempted', false],
    ['exempted', false],
  ]),
  lapsed: expectAt(KOMINFO_DATES, [
    ['warned', false],
    ['blocked.enforced', true],
    ['blocked.temporarilyRestored', false],
    ['blocked.temporarilyRestored', false],
    ['blocked.enforced', true],
    ['blocked.enforced', true],
  ]),
  fined: expectAt(PP43_DATES, [
    ['warned', false],
    ['warned', false],
    ['fined', false],
    ['fined', false],
    ['fined', false],
  ]),
};

interface Run {
  answers: Answer[];
  events: Record<CaseId, StoredEvent[]>;
  asOf: Record<CaseId, AsOfAnswer[]>;
  blocklist: { json: Json; txt: string };
}

/** Tells the story to a fresh server, lets it settle, and reads everything the assertions compare. */
async function runStory(name: string, waitForScheduler: boolean): Promise<Run> {
  const server = await serve(name);
  try {
    const answers = await tell(server, STORY, waitForScheduler);
    await settled(server, CASES);
    const events = {} as Run['events'];
    const asOf = {} as Run['asOf'];
    for (const pseId of CASES) {
      events[pseId] = await eventsOf(server, pseId);
      asOf[pseId] = [];
      for (const [local] of EXPECTED_AS_OF[pseId]) {
        const query = encodeURIComponent(wib(local));
        const { status, body } = await request(server, `/v1/cases/${pseId}/state?asOf=${query}`, {
          key: KEYS.analyst,
        });
        expect(status).toBe(200);
        const { version, state, substate, context } = body as unknown as AsOfAnswer;
        asOf[pseId].push({ version, state, substate, context });
      }
    }
    const json = (await request(server, '/v1/blocklist?format=json', { key: KEYS.service })).body;
    const txt = (await request(server, '/v1/blocklist?format=txt', { key: KEYS.service })).text;
    return { answers, events, asOf, blocklist: { json, txt } };
  } finally {
    expect(await server.stop()).toBe(0);
  }
}

describe('sanksi serve: business time decides, whenever the scheduler runs (issue 9)', () => {
  let before: Run;
  let after: Run;

  beforeAll(async () => {
    // run A: every command at once, before the scheduler caught up; run B: each after it caught up
    before = await runStory('before', false);
    after = await runStory('after', true);
  });

  it('given the 2022 story sent before and after the scheduler caught up, then every command got the same answer', () => {
    const line = (step: Step, status: number) => `${step.path} at ${String(step.body.occurredAt)}: ${status}`;
    // an unexpected answer shows its problem detail in the diff
    const answered = (run: Run) =>
      run.answers.map(
        (a) => `${line(a.step, a.status)}${a.status === a.step.status ? '' : ` (${String(a.body.detail)})`}`,
      );
    const wanted = STORY.map((step) => line(step, step.status));
    expect(answered(before)).toEqual(wanted);
    expect(answered(after)).toEqual(wanted);
  });

  it('given PayPal warned on 23 July, when a block order dated 30 July arrives before the scheduler caught up, then it is refused: the block stands since the due instant', () => {
    const refused = before.answers.find((a) => a.step === BLOCK_ORDER);
    expect(refused?.status).toBe(409);
    expect(refused?.body).toMatchObject({
      status: 409,
      pseId: 'paypal',
      state: 'blocked.enforced',
      command: 'BlockAccess',
      reason: LATE_BLOCK_REASON,
    });
    expect(refused?.body.allowed).toEqual(
      expect.arrayContaining(['RestoreAccessTemporarily', 'SubmitRegistration', 'ConfirmRegistration']),
    );
    expect(refused?.body.allowed).not.toContain('BlockAccess');
  });

  it('when the same block order arrives after the scheduler caught up, then it is refused with the same reason', () => {
    const early = before.answers.find((a) => a.step === BLOCK_ORDER);
    const late = after.answers.find((a) => a.step === BLOCK_ORDER);
    expect(late?.status).toBe(409);
    expect({ reason: late?.body.reason, allowed: late?.body.allowed, state: late?.body.state }).toEqual({
      reason: early?.body.reason,
      allowed: early?.body.allowed,
      state: early?.body.state,
    });
  });

  it.each(CASES)(
    '%s: both runs recorded the same history, automatic events dated at the due instants',
    (pseId) => {
      expect(rows(before.events[pseId])).toEqual(EXPECTED_EVENTS[pseId]);
      expect(rows(after.events[pseId])).toEqual(EXPECTED_EVENTS[pseId]);
      // run A never ran behind the scheduler; run B retracted exactly what a late fact contradicted
      expect(before.events[pseId].filter((e) => e.type === 'ConsequencesRetracted')).toEqual([]);
      const retractions = after.events[pseId].filter((e) => e.type === 'ConsequencesRetracted');
      const retractedTypes = retractions.flatMap((r) =>
        (r.data.retracted as string[]).map((id) => after.events[pseId].find((e) => e.eventId === id)?.type),
      );
      expect(retractedTypes).toEqual(RETRACTED_WHEN_WAITING[pseId] ?? []);
      // same command ids (Idempotency-Key, or the deadline's own id), so the same event ids and causes —
      // except an elapse re-derived after a retraction, which is a new command (`#<n>` suffix)
      const ids = (events: StoredEvent[]) =>
        effective(events).map((e) => (e.commandId.includes('#') ? [e.type] : [e.eventId, e.causationId]));
      const rederived = effective(after.events[pseId]).filter((e) => e.commandId.includes('#'));
      expect(rederived.length).toBe(pseId === 'fined' ? 1 : 0);
      expect(ids(after.events[pseId])).toEqual(
        effective(before.events[pseId]).map((e) =>
          rederived.some(
            (r) => r.type === e.type && r.occurredAt === e.occurredAt && e.actor.id === SCHEDULER,
          )
            ? [e.type]
            : [e.eventId, e.causationId],
        ),
      );
      for (const [i, e] of before.events[pseId].entries()) {
        if (e.actor.id === ESCALATION) expect(e.causationId).toBe(before.events[pseId][i - 1].eventId);
      }
    },
  );

  it.each(CASES)('%s: both runs answer the same state as of each date', (pseId) => {
    const seen = (run: Run): Expected[] =>
      run.asOf[pseId].map((a, i) => [
        EXPECTED_AS_OF[pseId][i][0],
        label(a) ?? '',
        a.context?.onBlocklist ?? false,
      ]);
    expect(seen(before)).toEqual(EXPECTED_AS_OF[pseId]);
    expect(seen(after)).toEqual(EXPECTED_AS_OF[pseId]);
    // the whole answer agrees, but for the count of raw events seen (run B's log also holds what it retracted)
    const answer = (run: Run) => run.asOf[pseId].map(({ version: _version, ...rest }) => rest);
    expect(answer(after)).toEqual(answer(before));
  });

  it('the pp43-2023 fine: imposed after the lapsed warning, paid in part, its lapsed payment deadline waits in the escalation queue', () => {
    const [warned, lapsed, imposed, paid, overdue] = before.asOf.fined.map((a) => a.context);
    expect(warned?.escalation).toEqual({ pending: false, allowed: [] });
    expect(lapsed?.escalation).toEqual({ pending: true, allowed: ['ImposeFine'] });
    expect(imposed?.fines).toMatchObject({
      imposedIdr: 1_000_000_000,
      paidIdr: 0,
      outstandingIdr: 1_000_000_000,
    });
    expect(paid?.fines).toMatchObject({
      imposedIdr: 1_000_000_000,
      paidIdr: 400_000_000,
      outstandingIdr: 600_000_000,
    });
    expect(overdue?.escalation.pending).toBe(true);
    expect(overdue?.escalation.allowed).toContain('BlockAccess');
    expect(overdue?.onBlocklist).toBe(false);
  });

  it('after the projector caught up, both runs publish the same blocklist: only the lapsed restoration, blocked again since 5 August 23:59', () => {
    for (const run of [before, after]) {
      expect(run.blocklist.json.entries).toEqual([
        { domain: 'lapsed.example', pseId: 'lapsed', since: wib('2022-08-05T23:59') },
      ]);
      expect(run.blocklist.txt).toBe('lapsed.example\n');
    }
  });
});
