import type { EventStore } from '@sanksi/event-store';
import type { CommandObserver } from './sanksi-metrics';

/**
 * The same event store, with every `appendToStream` timed for the observer (successful or not). A
 * proxy rather than a subclass: it works for every adapter and changes nothing else they do.
 */
export function timedAppends(store: EventStore, observer: Pick<CommandObserver, 'appendTimed'>): EventStore {
  const append: EventStore['appendToStream'] = async (...args) => {
    const started = process.hrtime.bigint();
    try {
      return await store.appendToStream(...args);
    } finally {
      observer.appendTimed(Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'appendToStream') return append;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
