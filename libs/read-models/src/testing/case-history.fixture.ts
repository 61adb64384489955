import type { SourceEvent } from '../events/event-source.port';
import type { CaseStateAfter, CaseDeadline } from '../events/read-model-event';

/** Deterministic UUID-shaped id from a counter (fixtures never use randomness). */
function uuidFrom(n: number, salt: number): string {
  const hex = (n * 2654435761 + salt).toString(16).padStart(12, '0').slice(-12);
  return `00000000-0000-4000-8000-${hex}`;
}

/** Hands out global positions across several case builders, as the event store would. */
export class GlobalLog {
  private position = 0;
  private readonly recorded: SourceEvent[] = [];

  constructor(private readonly gap = 1) {}

  /** Records an event at the next position. */
  record(event: Omit<SourceEvent, 'position'>): SourceEvent {
    this.position += this.gap;
    const e = { ...event, position: this.position };
    this.recorded.push(e);
    return e;
  }

  /** Every event recorded so far, in global order. */
  all(): SourceEvent[] {
    return [...this.recorded];
  }

  /** Starts building a case's history on this log. */
  case(pseId: string, profile: Partial<CaseProfile> = {}) {
    return new CaseHistory(this, pseId, profile);
  }
}

/** What a case is identified with: its name, domains, company, and any app ids and IP addresses. */
type CaseProfile = Pick<
  CaseStateAfter,
  'name' | 'domains' | 'origin' | 'company' | 'sector' | 'appIds' | 'ipAddresses'
>;

const emptyFines = { imposedIdr: 0, paidIdr: 0, annulledIdr: 0, outstandingIdr: 0 };

// The domain never records a negative balance (its envelope schema refuses one): a payment of a fine the
// fixture does not know leaves nothing owed.
const owed = (idr: number): number => Math.max(0, idr);

/**
 * Builds hand-made envelopes of one case: each step states the event and the `CaseStateAfter` it
 * led to (the fixture does not run a machine; it writes what the domain would record).
 */
export class CaseHistory {
  state: CaseStateAfter;
  private revision = -1;
  private prevHash: string | null = null;
  private nextRecordedAt: string | null = null;

  constructor(
    private readonly log: GlobalLog,
    readonly pseId: string,
    profile: Partial<CaseProfile>,
  ) {
    this.state = {
      state: 'unregistered',
      substate: null,
      value: 'unregistered',
      since: '1970-01-01T00:00:00.000Z',
      onBlocklist: false,
      domains: profile.domains ?? [`${pseId}.example`],
      name: profile.name ?? pseId,
      origin: profile.origin ?? 'foreign',
      company: profile.company ?? null,
      sector: profile.sector ?? null,
      // Recorded only when there are any, as the domain records them (docs/decisions/0007).
      ...(profile.appIds?.length ? { appIds: profile.appIds } : {}),
      ...(profile.ipAddresses?.length ? { ipAddresses: profile.ipAddresses } : {}),
      registrationNumber: null,
      warnings: 0,
      blocks: 0,
      fines: { ...emptyFines },
      nextDeadline: null,
      deadlines: [],
      escalation: { pending: false, allowed: [] },
    };
  }

  /**
   * Records the next event as learnt at `recordedAt` (a late record: the system heard of it after it
   * happened); every other event is recorded when it occurred.
   */
  learntAt(recordedAt: string): this {
    this.nextRecordedAt = recordedAt;
    return this;
  }

  /** Appends any event with the state it led to (`patch` over the previous state). */
  event(
    type: string,
    occurredAt: string,
    data: Record<string, unknown>,
    patch: Partial<CaseStateAfter> = {},
  ): SourceEvent {
    const enteringState = patch.state !== undefined && patch.state !== this.state.state;
    const deadlines = patch.deadlines ?? this.state.deadlines;
    const state = patch.state ?? this.state.state;
    const substate = patch.substate !== undefined ? patch.substate : this.state.substate;
    this.state = {
      ...this.state,
      ...patch,
      // The machine's state value, as the domain records it beside the state's name.
      value: patch.value ?? (substate ? { [state]: substate } : state),
      since: enteringState || this.revision < 0 ? occurredAt : this.state.since,
      deadlines,
      nextDeadline:
        patch.nextDeadline !== undefined
          ? patch.nextDeadline
          : ([...deadlines].sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))[0] ?? null),
    };
    this.revision += 1;
    const recordedAt = this.nextRecordedAt ?? occurredAt;
    this.nextRecordedAt = null;
    const hash = `h-${this.pseId}-${this.revision}`;
    const e = this.log.record({
      eventId: uuidFrom(this.revision + 1, this.pseId.length * 7919 + this.pseId.charCodeAt(0)) + this.pseId,
      type,
      data,
      schemaVersion: 1,
      streamId: `pse-${this.pseId}`,
      revision: this.revision,
      createdAt: recordedAt,
      metadata: {
        pseId: this.pseId,
        occurredAt,
        recordedAt,
        actor: { id: 'op-1', role: 'operator' },
        commandId: `cmd-${this.pseId}-${this.revision}`,
        correlationId: `corr-${this.pseId}`,
        causationId: null,
        policyVersion: 'kominfo-2022',
        revision: this.revision,
        state: structuredClone(this.state),
        prevHash: this.prevHash,
        hash,
      },
    });
    this.prevHash = hash;
    return e;
  }

  identified(at: string): SourceEvent {
    const s = this.state;
    return this.event(
      'PseIdentified',
      at,
      {
        name: s.name,
        origin: s.origin,
        domains: s.domains,
        company: s.company,
        sector: s.sector,
        ...(s.appIds ? { appIds: s.appIds } : {}),
        ...(s.ipAddresses ? { ipAddresses: s.ipAddresses } : {}),
        policy: 'kominfo-2022',
      },
      { state: 'unregistered' },
    );
  }

  warned(at: string, letterNumber: string, responseDeadline: string): SourceEvent {
    const d: CaseDeadline = { kind: 'warningResponse', dueAt: responseDeadline, fineId: null };
    return this.event(
      'WarningIssued',
      at,
      { letterNumber, responseDeadline },
      { state: 'warned', warnings: this.state.warnings + 1, deadlines: [d] },
    );
  }

  deadlineElapsed(at: string, allowed: string[]): SourceEvent {
    const d = this.state.deadlines[0];
    return this.event(
      'DeadlineElapsed',
      at,
      { deadline: d?.kind, dueAt: d?.dueAt, fineId: d?.fineId ?? null },
      { deadlines: this.state.deadlines.slice(1), escalation: { pending: true, allowed } },
    );
  }

  fined(at: string, fineId: string, amountIdr: number, paymentDeadline: string): SourceEvent {
    const f = this.state.fines;
    return this.event(
      'FineImposed',
      at,
      { fineId, decisionNumber: `DEC-${fineId}`, amountIdr, paymentDeadline },
      {
        state: 'fined',
        fines: { ...f, imposedIdr: f.imposedIdr + amountIdr, outstandingIdr: f.outstandingIdr + amountIdr },
        deadlines: [{ kind: 'finePayment', dueAt: paymentDeadline, fineId }],
        escalation: { pending: false, allowed: [] },
      },
    );
  }

  paid(at: string, fineId: string, amountIdr: number): SourceEvent {
    const f = this.state.fines;
    return this.event(
      'FinePaid',
      at,
      { fineId, amountIdr, reference: `REF-${fineId}` },
      {
        fines: { ...f, paidIdr: f.paidIdr + amountIdr, outstandingIdr: owed(f.outstandingIdr - amountIdr) },
        deadlines: this.state.deadlines.filter((d) => d.fineId !== fineId),
      },
    );
  }

  annulled(at: string, fineId: string, amountIdr: number): SourceEvent {
    const f = this.state.fines;
    return this.event(
      'FineAnnulled',
      at,
      { fineId, reason: 'appeal upheld' },
      {
        fines: {
          ...f,
          annulledIdr: f.annulledIdr + amountIdr,
          outstandingIdr: owed(f.outstandingIdr - amountIdr),
        },
        deadlines: this.state.deadlines.filter((d) => d.fineId !== fineId),
      },
    );
  }

  blocked(at: string, orderNumber: string): SourceEvent {
    return this.event(
      'AccessBlocked',
      at,
      { orderNumber, domains: this.state.domains },
      {
        state: 'blocked',
        substate: 'enforced',
        onBlocklist: true,
        blocks: this.state.blocks + 1,
        deadlines: [],
        escalation: { pending: false, allowed: [] },
      },
    );
  }

  temporarilyRestored(at: string, until: string): SourceEvent {
    return this.event(
      'AccessTemporarilyRestored',
      at,
      { until, reason: 'users withdraw funds' },
      {
        substate: 'temporarilyRestored',
        onBlocklist: false,
        deadlines: [{ kind: 'temporaryRestoration', dueAt: until, fineId: null }],
      },
    );
  }

  reBlocked(at: string): SourceEvent {
    const d = this.state.deadlines[0];
    return this.event(
      'DeadlineElapsed',
      at,
      { deadline: d?.kind, dueAt: d?.dueAt, fineId: null },
      { substate: 'enforced', onBlocklist: true, deadlines: [] },
    );
  }

  submitted(at: string, channel: 'oss' | 'manual'): SourceEvent {
    return this.event(
      'RegistrationSubmitted',
      at,
      { channel },
      this.state.state === 'unregistered' ? { state: 'registrationPending' } : {},
    );
  }

  confirmed(at: string, registrationNumber: string, sanctioned: boolean): SourceEvent {
    return this.event(
      'RegistrationConfirmed',
      at,
      { registrationNumber },
      {
        state: sanctioned ? 'reRegistered' : 'registered',
        substate: null,
        onBlocklist: false,
        registrationNumber,
        deadlines: this.state.deadlines.filter((d) => d.kind === 'finePayment'),
        escalation: { pending: false, allowed: [] },
      },
    );
  }

  restored(at: string): SourceEvent {
    return this.event(
      'AccessRestored',
      at,
      { reason: 'registered', cause: 'registration' },
      { onBlocklist: false },
    );
  }

  suspended(at: string, by: 'TAKEL' | 'PAI', responseDeadline: string): SourceEvent {
    return this.event(
      'RegistrationSuspended',
      at,
      { by, reason: 'false information', responseDeadline },
      {
        state: 'suspended',
        deadlines: [{ kind: 'suspensionResponse', dueAt: responseDeadline, fineId: null }],
      },
    );
  }

  revoked(at: string): SourceEvent {
    return this.event(
      'RegistrationRevoked',
      at,
      { reason: 'no response in 7 days' },
      { state: 'revoked', onBlocklist: true, deadlines: [], blocks: this.state.blocks + 1 },
    );
  }

  exempted(at: string): SourceEvent {
    return this.event(
      'ExemptionGranted',
      at,
      { reason: 'not obliged' },
      { state: 'exempted', substate: null, onBlocklist: false, deadlines: [] },
    );
  }

  profileUpdated(at: string, domains: string[]): SourceEvent {
    return this.event('PseProfileUpdated', at, { domains }, { domains });
  }

  /** A profile update naming the case's app ids and IP addresses (each list replaces the recorded one). */
  addressesUpdated(at: string, changes: Pick<CaseStateAfter, 'appIds' | 'ipAddresses'>): SourceEvent {
    return this.event('PseProfileUpdated', at, changes, changes);
  }
}
