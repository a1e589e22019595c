/**
 * HTTP responses in steps over the link (docs/link-protocol.md section 8.1):
 * the card end turns a Response whose body is produced as it is read into
 * an AgentStream of chunked-coding pieces (RFC 9112 section 7.1); the
 * terminal end decodes those pieces as they arrive. Pure: no I/O.
 */
import { concat } from "../bytes.ts";
import type { AgentStream } from "./card-link.ts";
import { HTTP_LIMITS, HttpFormatError, indexOfSequence, parseResponse, serializeChunkedHead } from "./http.ts";

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");
const LAST_CHUNK = encoder.encode("0\r\n\r\n");
/** A chunk-size line: at most 8 hex digits (4 GiB, far above the link's message limit) and CRLF. */
const MAX_SIZE_LINE = 10;

function chunk(bytes: Uint8Array): Uint8Array {
  return bytes.length === 0 ? bytes : concat(encoder.encode(`${bytes.length.toString(16)}\r\n`), bytes, encoder.encode("\r\n"));
}

/**
 * `response` as pieces of one chunked HTTP message. Each `next()` reads the
 * body once more, which runs the producer to its next step; the piece read
 * is held back one step, so the last piece is known as last and carries the
 * last chunk: no extra exchange only to say "done".
 */
export function chunkedAgentStream(response: Response): AgentStream {
  const reader = response.body!.getReader();
  let head: Uint8Array | undefined = serializeChunkedHead(response);
  let held: { done: true; value?: undefined } | { done: false; value: Uint8Array } | undefined;
  return {
    async next() {
      const current = held ?? (await reader.read());
      const following = current.done ? current : await reader.read();
      held = following;
      const parts = [head ?? new Uint8Array(0), current.done ? new Uint8Array(0) : chunk(current.value)];
      head = undefined;
      if (following.done) parts.push(LAST_CHUNK);
      return { bytes: concat(...parts), last: following.done === true };
    },
  };
}

/**
 * Decodes one response as its bytes arrive: the head as soon as it is
 * complete, then the body of a chunked response piece by piece. A head over
 * HTTP_LIMITS or a malformed chunk-size line is an HttpFormatError.
 */
export class ResponseReader {
  private buffer: Uint8Array = new Uint8Array(0);
  private phase: "head" | "size" | "data" | "crlf" | "end" | "whole" = "head";
  private remaining = 0;
  /** The response's head (with an empty body) once it is complete. */
  head: Response | undefined;
  /** True when the response is chunked: its body can be read as it arrives. */
  chunked = false;

  /** Take the next bytes of the message; returns the body bytes they complete (chunked responses only). */
  feed(bytes: Uint8Array): Uint8Array[] {
    if (this.phase === "end" || this.phase === "whole") return [];
    this.buffer = this.buffer.length ? concat(this.buffer, bytes) : bytes.slice();
    const out: Uint8Array[] = [];
    for (;;) {
      if (this.phase === "head") {
        const end = indexOfCrlfCrlf(this.buffer);
        if (end < 0) {
          if (this.buffer.length > HTTP_LIMITS.headerBytes + 4) throw new HttpFormatError(431, `HTTP header section is over ${HTTP_LIMITS.headerBytes} bytes`);
          return out;
        }
        const headBytes = this.buffer.subarray(0, end + 4);
        this.chunked = /\r\ntransfer-encoding:\s*chunked\s*\r\n/i.test(latin1.decode(headBytes));
        if (!this.chunked) {
          this.phase = "whole";
          return out;
        }
        // The head alone, as a chunked message with an empty body, parsed by the one parser.
        this.head = parseResponse(concat(headBytes, LAST_CHUNK));
        this.buffer = this.buffer.subarray(end + 4);
        this.phase = "size";
      } else if (this.phase === "size") {
        const eol = indexOfCrlf(this.buffer);
        if (eol < 0) {
          if (this.buffer.length > MAX_SIZE_LINE) throw new HttpFormatError(400, "Chunk size line is too long");
          return out;
        }
        const text = latin1.decode(this.buffer.subarray(0, eol));
        if (!/^[0-9a-fA-F]{1,8}$/.test(text)) throw new HttpFormatError(400, `Invalid chunk size: ${text.slice(0, 20)}`);
        this.remaining = parseInt(text, 16);
        this.buffer = this.buffer.subarray(eol + 2);
        this.phase = this.remaining === 0 ? "end" : "data";
        if (this.phase === "end") return out;
      } else if (this.phase === "data") {
        if (this.buffer.length === 0) return out;
        const n = Math.min(this.remaining, this.buffer.length);
        out.push(this.buffer.slice(0, n));
        this.buffer = this.buffer.subarray(n);
        this.remaining -= n;
        if (this.remaining === 0) this.phase = "crlf";
      } else if (this.phase === "crlf") {
        if (this.buffer.length < 2) return out;
        if (this.buffer[0] !== 13 || this.buffer[1] !== 10) throw new HttpFormatError(400, "Chunk data is not followed by CRLF");
        this.buffer = this.buffer.subarray(2);
        this.phase = "size";
      } else {
        return out;
      }
    }
  }
}

const indexOfCrlf = (bytes: Uint8Array) => indexOfSequence(bytes, [13, 10]);
const indexOfCrlfCrlf = (bytes: Uint8Array) => indexOfSequence(bytes, [13, 10, 13, 10]);
