import type { EventStore, RecordedEvent } from '@sanksi/event-store';

export type { ReadAllOptions, SubscribeOptions } from '@sanksi/event-store';

/** An event as the projector reads it: the event store's `RecordedEvent`. */
export type SourceEvent = RecordedEvent;

/** What the projector needs of an event store: global reads, a catch-up subscription, the head. */
export type ProjectorEventSource = Pick<EventStore, 'readAll' | 'subscribe' | 'headPosition'>;
