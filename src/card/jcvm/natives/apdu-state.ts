/**
 * The APDU object of one command (javacard.framework.APDU, JC API 3.0.5):
 * the APDU buffer (a global array), the incoming data received in steps,
 * and the outgoing data sent in steps. Short and extended length
 * (javacardx.apdu.ExtendedLength) commands both fit: the buffer holds the
 * whole command.
 */
import type { CommandApdu } from "../../../stack/apdu.ts";
import { byteArray, bytesOf, JCRE_CONTEXT, JObject, type JArray, type JClass } from "../model.ts";

/** APDU states (APDU.STATE_*). */
export const APDU_STATE = {
  INITIAL: 0,
  PARTIAL_INCOMING: 1,
  FULL_INCOMING: 2,
  OUTGOING: 3,
  OUTGOING_LENGTH_KNOWN: 4,
  PARTIAL_OUTGOING: 5,
  FULL_OUTGOING: 6,
} as const;

/** APDUException reasons. */
export const APDU_REASON = { ILLEGAL_USE: 1, BUFFER_BOUNDS: 2, BAD_LENGTH: 3, IO_ERROR: 4 } as const;

/** The APDU buffer size of a short command (5 header bytes + 256), JC API APDU. */
export const SHORT_BUFFER = 261;

export class ApduState {
  readonly buffer: JArray;
  readonly object: JObject;
  readonly offsetCdata: number;
  readonly nc: number;
  readonly ne: number;
  state: number = APDU_STATE.INITIAL;
  received = 0;
  outLength = -1;
  readonly out: number[] = [];

  constructor(
    readonly command: CommandApdu,
    apduClass: JClass,
  ) {
    const extended = command.extended;
    this.offsetCdata = extended ? 7 : 5;
    this.nc = command.data.length;
    this.ne = command.ne ?? 0;
    const size = Math.max(SHORT_BUFFER, this.offsetCdata + this.nc);
    const head = new Uint8Array(size);
    head.set([command.cla, command.ins, command.p1, command.p2]);
    if (extended) {
      const l = this.nc > 0 ? this.nc : this.ne === 65536 ? 0 : this.ne;
      head.set([0, (l >> 8) & 0xff, l & 0xff], 4);
    } else head[4] = this.nc > 0 ? this.nc : this.ne === 256 ? 0 : this.ne;
    this.buffer = byteArray(head, JCRE_CONTEXT, true);
    this.object = new JObject(apduClass, JCRE_CONTEXT, 0);
    this.object.native = this;
  }

  /** Copy the next incoming bytes to the buffer at `offset`; the count. */
  receive(offset: number): number {
    const room = this.buffer.length - offset;
    const n = Math.min(room, this.nc - this.received);
    bytesOf(this.buffer).set(this.command.data.subarray(this.received, this.received + n), offset);
    this.received += n;
    this.state = this.received >= this.nc ? APDU_STATE.FULL_INCOMING : APDU_STATE.PARTIAL_INCOMING;
    return n;
  }

  /** The response data sent so far. */
  response(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}
