// Server-sent events over fetch: EventSource cannot send an Authorization header, and a key in the URL
// would end up in logs and history, so the console reads the stream itself (docs/console.md).

/** One server-sent event as the stream carries it. */
export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/**
 * Splits server-sent-event text into messages (the WHATWG rules the console needs: `id`, `event`,
 * multi-line `data`, comments ignored); returns the messages and the unfinished rest to keep.
 */
export function parseSse(buffer: string): { messages: SseMessage[]; rest: string } {
  const normalised = buffer.replace(/\r\n?/g, '\n');
  const blocks = normalised.split('\n\n');
  const rest = blocks.pop() ?? '';
  const messages: SseMessage[] = [];
  for (const block of blocks) {
    let id: string | null = null;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) messages.push({ id, event, data: data.join('\n') });
  }
  return { messages, rest };
}

/**
 * Reads an event stream with the key in the Authorization header until `signal` aborts; resumes
 * after a dropped connection from the last id seen (Last-Event-ID), waiting `retryMs` between tries.
 */
export async function readEventStream(
  key: string,
  path: string,
  handlers: {
    onMessage: (message: SseMessage) => void;
    onStatus: (status: 'connecting' | 'connected' | 'disconnected') => void;
  },
  signal: AbortSignal,
  retryMs = 3000,
): Promise<void> {
  let lastId: string | null = null;
  while (!signal.aborted) {
    handlers.onStatus('connecting');
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: 'text/event-stream' };
      if (lastId !== null) headers['last-event-id'] = lastId;
      const response = await fetch(path, { headers, signal });
      if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
      handlers.onStatus('connected');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const parsed = parseSse(buffer + value);
        buffer = parsed.rest;
        for (const message of parsed.messages) {
          if (message.id !== null) lastId = message.id;
          handlers.onMessage(message);
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    if (signal.aborted) return;
    handlers.onStatus('disconnected');
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}
