/**
 * HTTP/1.1 messages as bytes (RFC 9112), for the link: Request and Response
 * to bytes and back. Bodies are framed by Content-Length or by the chunked
 * transfer coding (RFC 9112 section 7.1). No sockets: the link is the wire.
 */
import { FormatError } from "../errors.ts";
import { concat } from "../bytes.ts";

/** Origin given to requests parsed on the card (the card's name on the link). */
export const CARD_ORIGIN = "http://card";

const CRLF = "\r\n";
const encoder = new TextEncoder();
// Field values may carry obs-text (RFC 9110 section 5.5): read the header section byte for byte.
const latin1 = new TextDecoder("latin1");

/** Limits of one message's header section (start line included), checked before any field is parsed. */
export const HTTP_LIMITS = { headerBytes: 8192, headerFields: 64 } as const;

/**
 * A message that is not acceptable HTTP/1.1, with the status a server
 * answers: 400 malformed, 431 header section over HTTP_LIMITS (RFC 6585
 * section 5), 501 a transfer coding other than chunked (RFC 9112 section 6.1).
 */
export class HttpFormatError extends FormatError {
  override name = "HttpFormatError";
  constructor(readonly status: 400 | 431 | 501, message: string, bytes?: Uint8Array) {
    super(message, bytes);
  }
}

/** field-name = token (RFC 9110 section 5.1); field-value = VCHAR, obs-text, SP and HTAB (section 5.5). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const REASONS: Readonly<Record<number, string>> = {
  200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 301: "Moved Permanently", 302: "Found",
  303: "See Other", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
  404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large",
  415: "Unsupported Media Type", 422: "Unprocessable Content", 500: "Internal Server Error",
  501: "Not Implemented", 503: "Service Unavailable", 507: "Insufficient Storage",
};

/** The standard reason phrase of `status` ("OK", "Not Found"), or "Status". */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "Status";
}

export interface SerializeOptions {
  /** Send the body with the chunked transfer coding, in pieces of this many bytes. */
  chunkSize?: number;
}

/** A Request as HTTP/1.1 bytes (origin form target, Host from the URL). */
export async function serializeRequest(request: Request, options: SerializeOptions = {}): Promise<Uint8Array> {
  const url = new URL(request.url);
  // Bun derives the Content-Type of a FormData body lazily: read it before the body.
  const headers = snapshot(request.headers);
  const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
  const head = [`${request.method} ${url.pathname}${url.search} HTTP/1.1`];
  if (!headers.has("host")) head.push(`Host: ${url.host}`);
  return finish(head, headers, body, options);
}

/** A Response as HTTP/1.1 bytes. */
export async function serializeResponse(response: Response, options: SerializeOptions = {}): Promise<Uint8Array> {
  const headers = snapshot(response.headers);
  const body = response.body === null ? undefined : new Uint8Array(await response.arrayBuffer());
  const head = [`HTTP/1.1 ${response.status} ${response.statusText || reasonPhrase(response.status)}`];
  return finish(head, headers, body, options);
}

function snapshot(headers: Headers): Headers {
  const copy = new Headers();
  headers.forEach((value, name) => copy.append(name, value));
  const type = headers.get("content-type");
  if (type !== null && !copy.has("content-type")) copy.set("content-type", type);
  return copy;
}

/**
 * The head of a response whose body follows in chunks as it is produced
 * (RFC 9112 section 7.1): status line, fields, `Transfer-Encoding: chunked`.
 */
export function serializeChunkedHead(response: Response): Uint8Array {
  const head = [`HTTP/1.1 ${response.status} ${response.statusText || reasonPhrase(response.status)}`];
  fieldLines(head, snapshot(response.headers));
  head.push("Transfer-Encoding: chunked");
  return encoder.encode(head.join(CRLF) + CRLF + CRLF);
}

function fieldLines(head: string[], headers: Headers): void {
  headers.forEach((value, name) => {
    if (name === "content-length" || name === "transfer-encoding") return;
    if (/[\r\n]/.test(value)) throw new FormatError(`HTTP header ${name} contains a line break`);
    head.push(`${canonical(name)}: ${value}`);
  });
}

function finish(head: string[], headers: Headers, body: Uint8Array | undefined, options: SerializeOptions): Uint8Array {
  fieldLines(head, headers);
  if (body === undefined) return encoder.encode(head.join(CRLF) + CRLF + CRLF);
  if (options.chunkSize) {
    head.push("Transfer-Encoding: chunked");
    const parts: Uint8Array[] = [encoder.encode(head.join(CRLF) + CRLF + CRLF)];
    for (let o = 0; o < body.length; o += options.chunkSize) {
      const piece = body.subarray(o, o + options.chunkSize);
      parts.push(encoder.encode(piece.length.toString(16) + CRLF), piece, encoder.encode(CRLF));
    }
    parts.push(encoder.encode("0" + CRLF + CRLF));
    return concat(...parts);
  }
  head.push(`Content-Length: ${body.length}`);
  return concat(encoder.encode(head.join(CRLF) + CRLF + CRLF), body);
}

function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** Start line, header fields and body of one HTTP/1.1 message. */
export interface HttpMessage {
  readonly startLine: string;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/** Split one complete message; the body is de-chunked and must fill the bytes exactly. */
export function parseMessage(bytes: Uint8Array): HttpMessage {
  const end = indexOfSequence(bytes.subarray(0, HTTP_LIMITS.headerBytes + 4), [13, 10, 13, 10]);
  if (end < 0) {
    if (bytes.length >= HTTP_LIMITS.headerBytes + 4) throw new HttpFormatError(431, `HTTP header section is over ${HTTP_LIMITS.headerBytes} bytes`);
    throw new HttpFormatError(400, "HTTP message has no end of header section (CRLF CRLF)", bytes);
  }
  const lines = latin1.decode(bytes.subarray(0, end)).split(CRLF);
  if (lines.length - 1 > HTTP_LIMITS.headerFields) throw new HttpFormatError(431, `HTTP message has ${lines.length - 1} header fields, over the limit of ${HTTP_LIMITS.headerFields}`);
  const startLine = lines.shift() ?? "";
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, Math.max(colon, 0));
    const value = line.slice(colon + 1).trim();
    if (colon <= 0 || !TOKEN.test(name)) throw new HttpFormatError(400, `Malformed HTTP header line: ${JSON.stringify(line.slice(0, 60))}`);
    if (!FIELD_VALUE.test(value)) throw new HttpFormatError(400, `HTTP header ${name} has a control character in its value`);
    headers.append(name, value);
  }
  const rest = bytes.subarray(end + 4);
  const te = headers.get("transfer-encoding");
  const cl = headers.get("content-length");
  if (te !== null && cl !== null) throw new HttpFormatError(400, "HTTP message has both Transfer-Encoding and Content-Length");
  let body: Uint8Array;
  if (te !== null) {
    if (te.toLowerCase() !== "chunked") throw new HttpFormatError(501, `Unsupported transfer coding: ${te.slice(0, 40)}`);
    body = dechunk(rest);
    headers.delete("transfer-encoding");
  } else if (cl !== null) {
    if (!/^\d{1,10}$/.test(cl)) throw new HttpFormatError(400, `Invalid Content-Length: ${cl.slice(0, 20)}`);
    const n = Number(cl);
    if (n !== rest.length) throw new HttpFormatError(400, `HTTP body is ${rest.length} bytes but Content-Length says ${n}`);
    body = rest.slice();
  } else {
    if (rest.length) throw new HttpFormatError(400, `HTTP message has ${rest.length} body bytes without Content-Length`);
    body = new Uint8Array(0);
  }
  headers.delete("content-length");
  return { startLine, headers, body };
}

function dechunk(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let o = 0;
  for (;;) {
    const eol = indexOfSequence(bytes, [13, 10], o);
    if (eol < 0) throw new HttpFormatError(400, "Chunked HTTP body is truncated (no chunk size line)");
    const sizeText = latin1.decode(bytes.subarray(o, eol)).split(";")[0]!.trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new HttpFormatError(400, `Invalid chunk size: ${sizeText.slice(0, 20)}`);
    const size = parseInt(sizeText, 16);
    o = eol + 2;
    if (size === 0) {
      // Trailer fields are ignored; the message ends with an empty line.
      const tail = indexOfSequence(bytes, [13, 10], o);
      if (tail < 0) throw new HttpFormatError(400, "Chunked HTTP body lacks its final CRLF");
      return concat(...parts);
    }
    if (o + size + 2 > bytes.length) throw new HttpFormatError(400, `Chunk of ${size} bytes is truncated`);
    parts.push(bytes.subarray(o, o + size));
    o += size;
    if (bytes[o] !== 13 || bytes[o + 1] !== 10) throw new HttpFormatError(400, "Chunk data is not followed by CRLF");
    o += 2;
  }
}

/** Where `seq` first occurs in `bytes` from `from`, or -1. */
export function indexOfSequence(bytes: Uint8Array, seq: number[], from = 0): number {
  outer: for (let i = from; i + seq.length <= bytes.length; i++) {
    for (let j = 0; j < seq.length; j++) if (bytes[i + j] !== seq[j]) continue outer;
    return i;
  }
  return -1;
}

/** Parse request bytes into a Request whose URL is on `origin`; anything not acceptable is an HttpFormatError. */
export function parseRequest(bytes: Uint8Array, origin: string = CARD_ORIGIN): Request {
  const m = parseMessage(bytes);
  const parts = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.[01]$/.exec(m.startLine);
  if (!parts) throw new HttpFormatError(400, `Malformed HTTP request line: ${JSON.stringify(m.startLine.slice(0, 80))}`);
  const [, method, target] = parts as unknown as [string, string, string];
  if (!target.startsWith("/")) throw new HttpFormatError(400, `HTTP request target must be a path: ${target.slice(0, 80)}`);
  const hasBody = method !== "GET" && method !== "HEAD";
  if (!hasBody && m.body.length) throw new HttpFormatError(400, `${method} request carries a body`);
  try {
    return new Request(origin + target, { method, headers: m.headers, ...(hasBody ? { body: new Uint8Array(m.body) } : {}) });
  } catch (error) {
    // Whatever else the platform refuses (a method or target it will not carry) is the request's fault.
    throw new HttpFormatError(400, `HTTP request cannot be carried: ${(error as Error).message.slice(0, 80)}`);
  }
}

/** Parse response bytes into a Response. */
export function parseResponse(bytes: Uint8Array): Response {
  const m = parseMessage(bytes);
  const parts = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(m.startLine);
  if (!parts) throw new HttpFormatError(400, `Malformed HTTP status line: ${JSON.stringify(m.startLine.slice(0, 80))}`);
  const status = Number(parts[1]);
  if (status < 200 || status > 599) throw new HttpFormatError(400, `Unsupported HTTP status ${status}`);
  const empty = status === 204 || status === 304;
  return new Response(empty ? null : new Uint8Array(m.body), { status, statusText: parts[2] ?? "", headers: m.headers });
}
