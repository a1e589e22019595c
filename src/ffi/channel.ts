/**
 * The shared-memory channel between the main thread and a PC/SC worker.
 * A request and its response travel through one SharedArrayBuffer guarded by
 * a state word (Atomics.wait in the worker, Atomics.waitAsync on the main
 * thread): no structured clone and no message queue on the APDU path.
 *
 *   Int32 words 0..15           bytes 64..               bytes 64+IN_CAPACITY..
 *   +-----------------------+   +-------------------+    +--------------------+
 *   | state op inLen outLen |   | request payload   |    | response payload   |
 *   | result code abandoned |   | (APDU or JSON)    |    | (R-APDU or JSON)   |
 *   +-----------------------+   +-------------------+    +--------------------+
 */
import { SCARD } from "./abi.ts";

/** Word indexes in the Int32 header. */
export const WORD = { STATE: 0, OP: 1, IN_LEN: 2, OUT_LEN: 3, RESULT: 4, CODE: 5, ABANDONED: 6 } as const;

/** Values of the state word. */
export const STATE = { IDLE: 0, REQUEST: 1, RESPONSE: 2 } as const;

/** Values of the result word. */
export const RESULT = { OK: 0, PCSC_ERROR: 1, ERROR: 2 } as const;

/** Operations a worker performs, one per PC/SC call (plus exit). */
export const OP = {
  ESTABLISH: 1,
  RELEASE: 2,
  LIST_READERS: 3,
  GET_STATUS_CHANGE: 4,
  CONNECT: 5,
  RECONNECT: 6,
  DISCONNECT: 7,
  BEGIN_TRANSACTION: 8,
  END_TRANSACTION: 9,
  TRANSMIT: 10,
  STATUS: 11,
  GET_ATTRIB: 12,
  CONTROL: 13,
  EXIT: 14,
} as const;

export type Op = (typeof OP)[keyof typeof OP];

/** The PC/SC call behind each operation, for error messages. */
export const OP_CALL: Record<Op, string> = {
  1: "SCardEstablishContext",
  2: "SCardReleaseContext",
  3: "SCardListReaders",
  4: "SCardGetStatusChange",
  5: "SCardConnect",
  6: "SCardReconnect",
  7: "SCardDisconnect",
  8: "SCardBeginTransaction",
  9: "SCardEndTransaction",
  10: "SCardTransmit",
  11: "SCardStatus",
  12: "SCardGetAttrib",
  13: "SCardControl",
  14: "exit",
};

const HEADER = 64;
/** Room for the largest command APDU, rounded up to 8 bytes. */
export const IN_CAPACITY = Math.ceil(SCARD.MAX_COMMAND / 8) * 8;
/** Room for the largest response APDU, rounded up to 8 bytes. */
export const OUT_CAPACITY = Math.ceil(SCARD.MAX_RESPONSE / 8) * 8;

/** The views both sides use over one shared buffer. */
export interface Channel {
  readonly buffer: SharedArrayBuffer;
  readonly words: Int32Array;
  readonly input: Uint8Array;
  readonly output: Uint8Array;
}

/** Views over a channel buffer (new when none is given). */
export function channel(buffer = new SharedArrayBuffer(HEADER + IN_CAPACITY + OUT_CAPACITY)): Channel {
  return {
    buffer,
    words: new Int32Array(buffer, 0, HEADER / 4),
    input: new Uint8Array(buffer, HEADER, IN_CAPACITY),
    output: new Uint8Array(buffer, HEADER + IN_CAPACITY, OUT_CAPACITY),
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Write a JSON value into a payload area; returns its length. */
export function writeJson(area: Uint8Array, value: unknown): number {
  const { written } = encoder.encodeInto(JSON.stringify(value ?? null), area);
  return written;
}

/** Read a JSON value from a payload area. */
export function readJson<T>(area: Uint8Array, length: number): T {
  return JSON.parse(decoder.decode(area.subarray(0, length))) as T;
}
