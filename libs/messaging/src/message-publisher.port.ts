import type { OutboundMessage } from './case-event.message';

/**
 * The relay's only view of the broker (kafkajs is unmaintained upstream: it stays behind this port).
 * `publish` resolves only once the broker has acknowledged every message (acks=all) and keeps the
 * order of messages with the same key; on rejection nothing can be assumed about which were written.
 */
export interface MessagePublisher {
  publish(topic: string, messages: OutboundMessage[]): Promise<void>;
  close(): Promise<void>;
}
