import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { createGunzip, createInflate } from 'node:zlib';

/**
 * A `fetch` for ky that sends over `node:http`/`node:https` through Node's global agent
 * (keep-alive, shared by every client of the process). The adapter's REST client gives it to ky
 * by default: Node's own fetch is undici, whose HTTP client and WebAssembly parser are loaded and
 * compiled at the first request — about 9 MB of resident memory (measured on Node 20) for a client
 * that sends a handful of REST requests beside its streams.
 *
 * The answer resolves once its whole body has arrived (decoded from gzip or deflate), so ky's
 * timeout covers the whole exchange, not just the headers. An abort of the request's signal
 * destroys the request and rejects with the signal's reason. A body cut short reads as empty.
 *
 * Pass it to your own instance to keep the saving: `ky.create({ fetch: nodeHttpFetch, hooks })`.
 */
export async function nodeHttpFetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request ? input : new Request(input, init);
  const signal = request.signal;
  signal.throwIfAborted();
  const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
  const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate' };
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (body !== undefined) headers['content-length'] = String(body.byteLength);
  const answer = await exchange(request.url, request.method, headers, body, signal);
  return new Response(answer.status === 204 || answer.status === 304 ? null : answer.body, {
    status: answer.status,
    ...(answer.statusText ? { statusText: answer.statusText } : {}),
    headers: answer.headers,
  });
}

interface Answer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly body: Uint8Array<ArrayBuffer>;
}

function exchange(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  signal: AbortSignal,
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    let settled = false;
    const outgoing = (url.startsWith('https:') ? https : http).request(url, { method, headers });
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      outgoing.destroy();
      reject(error);
    };
    const onAbort = (): void => fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    outgoing.on('error', fail);
    outgoing.on('response', (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 599) {
        fail(new TypeError(`${method} ${url}: unexpected HTTP status ${status}`));
        return;
      }
      const encoding = response.headers['content-encoding'];
      const decoded =
        encoding === 'gzip' || encoding === 'x-gzip'
          ? response.pipe(createGunzip())
          : encoding === 'deflate'
            ? response.pipe(createInflate())
            : response;
      const chunks: Buffer[] = [];
      const finish = (text: Uint8Array<ArrayBuffer>): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        resolve({
          status,
          statusText: response.statusMessage ?? '',
          headers: answerHeaders(response.headers, encoding !== undefined),
          body: text,
        });
      };
      decoded.on('data', (chunk: Buffer) => chunks.push(chunk));
      decoded.on('end', () => finish(Buffer.concat(chunks)));
      decoded.on('error', () => finish(new Uint8Array(0)));
      response.on('error', () => finish(new Uint8Array(0)));
      response.on('aborted', () => finish(new Uint8Array(0)));
    });
    outgoing.end(body);
  });
}

/** The answer's headers; a decoded body drops its encoding and length. */
function answerHeaders(incoming: IncomingHttpHeaders, decoded: boolean): Headers {
  const out = new Headers();
  for (const name in incoming) {
    if (decoded && (name === 'content-encoding' || name === 'content-length')) continue;
    const value = incoming[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const one of value) out.append(name, one);
    else out.set(name, value);
  }
  return out;
}
