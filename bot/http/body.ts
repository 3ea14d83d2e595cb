import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';

/** The largest activity the bot parses, in bytes as received (the bot accepts no content coding). */
export const MAX_ACTIVITY_BYTES = 512 * 1024;

/** Why a body was refused, as logged; the answer itself is a fixed refusal for `status`. */
export type BodyRefusal =
  | { status: 415; reason: 'unsupportedEncoding' | 'unsupportedMediaType' }
  | { status: 413; reason: 'bodyTooLarge' }
  | { status: 400; reason: 'invalidJson' | 'bodyIncomplete' };

/**
 * A `Content-Encoding` other than identity: refused before any byte of the body is read, so no
 * decompressor ever runs (restify 11's would crash the process on a bad gzip stream, and count its
 * limit on compressed bytes). Bot Framework channels send plain JSON.
 */
export function refusedEncoding(headers: IncomingHttpHeaders): BodyRefusal | undefined {
  const encoding = headers['content-encoding'];
  if (encoding === undefined) return undefined;
  const codings = encoding.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
  return codings.every((c) => c === 'identity') ? undefined : { status: 415, reason: 'unsupportedEncoding' };
}

/**
 * Reads a JSON body of at most `limit` bytes. A declared length over the limit is refused before
 * reading; a chunked body is refused as soon as it passes the limit (the rest is never read).
 */
export async function readJsonBody(req: IncomingMessage, limit = MAX_ACTIVITY_BYTES): Promise<{ ok: true; value: unknown } | { ok: false; refusal: BodyRefusal }> {
  const encodingRefusal = refusedEncoding(req.headers);
  if (encodingRefusal) return { ok: false, refusal: encodingRefusal };
  if (!isJson(req.headers['content-type'])) return { ok: false, refusal: { status: 415, reason: 'unsupportedMediaType' } };

  let raw: string;
  try {
    raw = await getRawBody(req, { length: req.headers['content-length'] ?? null, limit, encoding: 'utf-8' });
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    return { ok: false, refusal: status === 413 ? { status: 413, reason: 'bodyTooLarge' } : { status: 400, reason: 'bodyIncomplete' } };
  }
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false, refusal: { status: 400, reason: 'invalidJson' } };
  }
}

/** `application/json`, with an optional UTF-8 charset (what Bot Framework channels send). */
function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => !p.startsWith('charset=') || /^charset="?utf-?8"?$/.test(p));
}
