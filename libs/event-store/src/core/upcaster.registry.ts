import { UpcastFailed } from './event-store.errors';

/** Lifts one event type from `fromVersion` to `fromVersion + 1`; pure, runs on every read. */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast(event: { data: unknown; metadata: Record<string, unknown> }): {
    data: unknown;
    metadata?: Record<string, unknown>;
  };
}

/** A stored event's shape before upcasting. */
export interface StoredShape {
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: Record<string, unknown>;
  position: number;
}

/** Upcasters indexed by type and version, applied in a chain until none matches. */
export class UpcasterRegistry {
  private readonly byKey = new Map<string, Upcaster>();
  private readonly types = new Set<string>();

  /** Builds a registry; two upcasters for the same type and version are a programming error. */
  constructor(upcasters: readonly Upcaster[] = []) {
    for (const upcaster of upcasters) {
      const key = `${upcaster.type}\u0000${upcaster.fromVersion}`;
      if (this.byKey.has(key)) {
        throw new RangeError(`Two upcasters for ${upcaster.type} v${upcaster.fromVersion}`);
      }
      this.byKey.set(key, upcaster);
      this.types.add(upcaster.type);
    }
  }

  /** Returns the event in the newest shape its upcasters reach (the same object when none apply). */
  apply<T extends StoredShape>(event: T): T {
    if (!this.types.has(event.type)) return event;
    let current = event;
    for (;;) {
      const upcaster = this.byKey.get(`${current.type}\u0000${current.schemaVersion}`);
      if (!upcaster) return current;
      try {
        const lifted = upcaster.upcast({ data: current.data, metadata: current.metadata });
        current = {
          ...current,
          data: lifted.data,
          metadata: lifted.metadata ?? current.metadata,
          schemaVersion: current.schemaVersion + 1,
        };
      } catch (cause) {
        throw new UpcastFailed({
          type: current.type,
          fromVersion: current.schemaVersion,
          position: current.position,
          cause,
        });
      }
    }
  }
}
