/**
 * Link frames (docs/link-protocol.md section 5). The data field of every
 * EXCHANGE command and of its answer is zero or more frames back to back:
 *
 *   +--------+---------+--------+--------+---------+
 *   | kind|fl| session | seq u16 | length u16 | payload
 *   +--------+---------+--------+--------+---------+
 *     1 byte   1 byte    2 bytes   2 bytes    length bytes
 */
import { FormatError } from "../errors.ts";
import { FRAME_HEADER, FRAME_KIND, type FrameKind } from "./constants.ts";

export interface Frame {
  readonly kind: FrameKind;
  /** Low nibble of the first byte: FRAME_FLAG bits for DATA, 0 otherwise. */
  readonly flags: number;
  readonly session: number;
  /** DATA: chunk number on this session and direction; ERROR: the sequence expected; OPEN: 0. */
  readonly seq: number;
  readonly payload: Uint8Array;
}

const KINDS = new Set<number>(Object.values(FRAME_KIND));

/** Bytes one frame takes on the wire. */
function frameSize(payloadLength: number): number {
  return FRAME_HEADER + payloadLength;
}

/** Encode frames back to back. */
export function encodeFrames(frames: readonly Frame[]): Uint8Array {
  let n = 0;
  for (const f of frames) n += frameSize(f.payload.length);
  const out = new Uint8Array(n);
  let o = 0;
  for (const f of frames) {
    if (f.payload.length > 0xffff) throw new RangeError(`Frame payload of ${f.payload.length} bytes exceeds 65535`);
    if (f.seq < 0 || f.seq > 0xffff) throw new RangeError(`Frame sequence ${f.seq} out of range`);
    out[o] = (f.kind << 4) | (f.flags & 0x0f);
    out[o + 1] = f.session;
    out[o + 2] = f.seq >> 8;
    out[o + 3] = f.seq & 0xff;
    out[o + 4] = f.payload.length >> 8;
    out[o + 5] = f.payload.length & 0xff;
    out.set(f.payload, o + FRAME_HEADER);
    o += frameSize(f.payload.length);
  }
  return out;
}

/** Decode a data field into frames; throws FormatError on anything malformed. */
export function decodeFrames(bytes: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  let o = 0;
  while (o < bytes.length) {
    if (o + FRAME_HEADER > bytes.length) {
      throw new FormatError(`Link frame header truncated at offset ${o}: ${bytes.length - o} bytes left`, bytes);
    }
    const kind = bytes[o]! >> 4;
    if (!KINDS.has(kind)) throw new FormatError(`Unknown link frame kind ${kind} at offset ${o}`, bytes);
    const length = (bytes[o + 4]! << 8) | bytes[o + 5]!;
    const end = o + FRAME_HEADER + length;
    if (end > bytes.length) {
      throw new FormatError(`Link frame at offset ${o} declares ${length} bytes, ${bytes.length - o - FRAME_HEADER} remain`, bytes);
    }
    const session = bytes[o + 1]!;
    if (session === 0) throw new FormatError(`Link frame at offset ${o} names session 00, which is reserved`, bytes);
    frames.push({
      kind: kind as FrameKind,
      flags: bytes[o]! & 0x0f,
      session,
      seq: (bytes[o + 2]! << 8) | bytes[o + 3]!,
      payload: bytes.slice(o + FRAME_HEADER, end),
    });
    o = end;
  }
  return frames;
}

/** An OPEN frame: the opener's agent, then the agent it wants on the other side. */
export function openFrame(session: number, fromAgent: number, toAgent: number): Frame {
  return { kind: FRAME_KIND.OPEN, flags: 0, session, seq: 0, payload: Uint8Array.of(fromAgent, toAgent) };
}

/** An ERROR frame: code, then a UTF-8 reason; `seq` is the sequence the sender expected. */
export function errorFrame(session: number, code: number, expectedSeq: number, reason: string): Frame {
  const text = new TextEncoder().encode(reason);
  const payload = new Uint8Array(1 + text.length);
  payload[0] = code;
  payload.set(text, 1);
  return { kind: FRAME_KIND.ERROR, flags: 0, session, seq: expectedSeq, payload };
}
