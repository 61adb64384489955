import http from 'node:http';
import net from 'node:net';

/** One HTTP request as it goes on the wire (tests of the listening API: fuzzing, the role matrix). */
export interface WireRequest {
  method: string;
  /** Path and query exactly as sent (already percent-encoded, or deliberately not). */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  /**
   * Written byte for byte over a socket instead of through node's HTTP client, which refuses
   * what a hostile client may still send (spaces and control characters in the target or headers).
   */
  raw?: boolean;
}

/** What came back: the status, the headers (lower-case names) and the body (empty for an event stream). */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// One connection per request: after a malformed request the server closes its connection, and a
// kept-alive socket would turn that into a failure of the next, innocent request.
const agent = new http.Agent({ keepAlive: false });

/**
 * Sends a request to the API listening on `port` and waits for the whole answer; an event stream
 * (`text/event-stream`) is answered as soon as its headers arrive and then closed, since it never ends.
 * Fails after `timeoutMs` without an answer: a hang is a defect as much as a 500 is.
 */
export function send(port: number, request: WireRequest, timeoutMs = 15_000): Promise<WireResponse> {
  return request.raw ? sendRaw(port, request, timeoutMs) : sendHttp(port, request, timeoutMs);
}

/** Frees the client's kept-alive sockets (call once the server is about to close). */
export function closeWireClient(): void {
  agent.destroy();
}

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function sendHttp(port: number, request: WireRequest, timeoutMs: number): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = String(request.body.length);
    const req = http.request(
      { host: '127.0.0.1', port, method: request.method, path: request.target, headers, agent },
      (res) => {
        const responseHeaders = flatten(res.headers);
        if ((responseHeaders['content-type'] ?? '').startsWith('text/event-stream')) {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: '' });
          res.destroy();
          req.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: responseHeaders,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(request.body);
  });
}

/** HTTP/1.1 over a bare socket with `Connection: close`: the answer is everything until the server closes. */
function sendRaw(port: number, request: WireRequest, timeoutMs: number): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const head = [
      `${request.method} ${request.target} HTTP/1.1`,
      'host: 127.0.0.1',
      'connection: close',
      ...Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`),
      ...(request.body ? [`content-length: ${request.body.length}`] : []),
      '',
      '',
    ].join('\r\n');
    socket.on('connect', () => {
      socket.write(Buffer.from(head, 'latin1'));
      if (request.body) socket.write(request.body);
    });
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const text = Buffer.concat(chunks).toString('latin1');
      // An event stream never closes by itself: its headers are the answer.
      if (
        /\r\ncontent-type: text\/event-stream/i.test(text.split('\r\n\r\n')[0]) &&
        text.includes('\r\n\r\n')
      ) {
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split < 0) {
        reject(
          new Error(
            `the server closed the connection without an HTTP answer: ${JSON.stringify(all.toString('latin1'))}`,
          ),
        );
        return;
      }
      const [statusLine, ...lines] = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let body: Buffer = all.subarray(split + 4);
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = unchunk(body);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: body.toString('utf8') });
    });
  });
}

function unchunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.subarray(0, eol).toString('latin1'), 16);
    if (eol < 0 || !Number.isFinite(size) || size === 0) return Buffer.concat(parts);
    parts.push(rest.subarray(eol + 2, eol + 2 + size));
    rest = rest.subarray(eol + 2 + size + 2);
  }
}
