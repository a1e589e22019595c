/**
 * ISO/IEC 7816-4 section 5.1 command and response APDUs.
 *
 *   case 1   CLA INS P1 P2
 *   case 2S  CLA INS P1 P2 Le                    Le 00 means 256
 *   case 3S  CLA INS P1 P2 Lc data               Lc 01..FF
 *   case 4S  CLA INS P1 P2 Lc data Le
 *   case 2E  CLA INS P1 P2 00 Le1 Le2            Le 0000 means 65,536
 *   case 3E  CLA INS P1 P2 00 Lc1 Lc2 data       Lc 0001..FFFF
 *   case 4E  CLA INS P1 P2 00 Lc1 Lc2 data Le1 Le2
 */
import { FormatError } from "./errors.ts";
import { describeSw, SW } from "./status-words.ts";
import { toHex } from "./bytes.ts";

export const MAX_SHORT_NC = 255;
export const MAX_SHORT_NE = 256;
export const MAX_EXTENDED_NC = 65_535;
export const MAX_EXTENDED_NE = 65_536;

export interface CommandFields {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (Nc = data.length). */
  data?: Uint8Array;
  /** Expected response length Ne; undefined for none (cases 1 and 3). */
  ne?: number;
  /** Force the extended encoding even when short would do. */
  extended?: boolean;
}

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${name} must be a byte, got ${v}`);
}

/** An immutable command APDU, validated when built. */
export class CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  readonly data: Uint8Array;
  readonly ne: number | undefined;
  readonly extended: boolean;

  constructor(fields: CommandFields) {
    checkByte("CLA", fields.cla);
    checkByte("INS", fields.ins);
    checkByte("P1", fields.p1);
    checkByte("P2", fields.p2);
    const data = fields.data ?? new Uint8Array(0);
    if (data.length > MAX_EXTENDED_NC) {
      throw new RangeError(`Command data of ${data.length} bytes exceeds ${MAX_EXTENDED_NC}`);
    }
    const ne = fields.ne;
    if (ne !== undefined && (!Number.isInteger(ne) || ne < 1 || ne > MAX_EXTENDED_NE)) {
      throw new RangeError(`Ne must be 1..${MAX_EXTENDED_NE}, got ${ne}`);
    }
    this.cla = fields.cla;
    this.ins = fields.ins;
    this.p1 = fields.p1;
    this.p2 = fields.p2;
    this.data = data;
    this.ne = ne;
    this.extended =
      fields.extended === true || data.length > MAX_SHORT_NC || (ne !== undefined && ne > MAX_SHORT_NE);
    Object.freeze(this);
  }

  /** ISO case number 1-4. */
  get case(): 1 | 2 | 3 | 4 {
    const hasData = this.data.length > 0;
    const hasNe = this.ne !== undefined;
    return hasData ? (hasNe ? 4 : 3) : hasNe ? 2 : 1;
  }

  /** The wire encoding. */
  toBytes(): Uint8Array {
    const nc = this.data.length;
    const ne = this.ne;
    const lcLen = nc === 0 ? 0 : this.extended ? 3 : 1;
    const leLen = ne === undefined ? 0 : this.extended ? (nc === 0 ? 3 : 2) : 1;
    const out = new Uint8Array(4 + lcLen + nc + leLen);
    out[0] = this.cla;
    out[1] = this.ins;
    out[2] = this.p1;
    out[3] = this.p2;
    let o = 4;
    if (nc > 0) {
      if (this.extended) {
        out[o++] = 0;
        out[o++] = nc >> 8;
        out[o++] = nc & 0xff;
      } else {
        out[o++] = nc;
      }
      out.set(this.data, o);
      o += nc;
    }
    if (ne !== undefined) {
      if (this.extended) {
        if (nc === 0) out[o++] = 0;
        const v = ne === MAX_EXTENDED_NE ? 0 : ne;
        out[o++] = v >> 8;
        out[o++] = v & 0xff;
      } else {
        out[o++] = ne === MAX_SHORT_NE ? 0 : ne;
      }
    }
    return out;
  }

  /** A copy with some fields changed. */
  with(changes: Partial<CommandFields>): CommandApdu {
    return new CommandApdu({
      cla: this.cla,
      ins: this.ins,
      p1: this.p1,
      p2: this.p2,
      data: this.data,
      ...(this.ne === undefined ? {} : { ne: this.ne }),
      ...changes,
    });
  }

  toString(): string {
    return toHex(this.toBytes());
  }

  /** Parse a wire encoding; rejects anything that is not exactly one of the seven forms. */
  static parse(bytes: Uint8Array): CommandApdu {
    const n = bytes.length;
    if (n < 4) throw new FormatError(`Command APDU too short: ${n} bytes, need at least 4`, bytes);
    const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
    const head = { cla, ins, p1, p2 };
    if (n === 4) return new CommandApdu(head);
    const b4 = bytes[4]!;
    if (n === 5) return new CommandApdu({ ...head, ne: b4 === 0 ? 256 : b4 });
    if (b4 !== 0) {
      // Short case 3 or 4.
      const nc = b4;
      if (n === 5 + nc) return new CommandApdu({ ...head, data: bytes.slice(5, 5 + nc) });
      if (n === 6 + nc) {
        const le = bytes[5 + nc]!;
        return new CommandApdu({ ...head, data: bytes.slice(5, 5 + nc), ne: le === 0 ? 256 : le });
      }
      throw new FormatError(`Command APDU length ${n} does not match Lc ${nc}`, bytes);
    }
    // b4 == 00 with more bytes: extended.
    if (n === 7) {
      const le = (bytes[5]! << 8) | bytes[6]!;
      return new CommandApdu({ ...head, ne: le === 0 ? 65_536 : le, extended: true });
    }
    if (n < 7) throw new FormatError(`Command APDU of ${n} bytes is not a valid extended form`, bytes);
    const nc = (bytes[5]! << 8) | bytes[6]!;
    if (nc === 0) throw new FormatError("Extended Lc of 0000 is invalid", bytes);
    if (n === 7 + nc) return new CommandApdu({ ...head, data: bytes.slice(7, 7 + nc), extended: true });
    if (n === 9 + nc) {
      const le = (bytes[7 + nc]! << 8) | bytes[8 + nc]!;
      return new CommandApdu({ ...head, data: bytes.slice(7, 7 + nc), ne: le === 0 ? 65_536 : le, extended: true });
    }
    throw new FormatError(`Command APDU length ${n} does not match extended Lc ${nc}`, bytes);
  }
}

/** An immutable response APDU: data and the status word. */
export class ResponseApdu {
  readonly data: Uint8Array;
  readonly sw: number;

  constructor(data: Uint8Array, sw: number) {
    if (!Number.isInteger(sw) || sw < 0 || sw > 0xffff) throw new RangeError(`SW must be 16 bits, got ${sw}`);
    this.data = data;
    this.sw = sw;
    Object.freeze(this);
  }

  get sw1(): number {
    return this.sw >> 8;
  }
  get sw2(): number {
    return this.sw & 0xff;
  }
  get ok(): boolean {
    return this.sw === SW.OK;
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.data.length + 2);
    out.set(this.data);
    out[this.data.length] = this.sw >> 8;
    out[this.data.length + 1] = this.sw & 0xff;
    return out;
  }

  toString(): string {
    return `${toHex(this.data)}${this.data.length ? " " : ""}${describeSw(this.sw)}`;
  }

  static parse(bytes: Uint8Array): ResponseApdu {
    if (bytes.length < 2) throw new FormatError(`Response APDU too short: ${bytes.length} bytes, need the 2-byte SW`, bytes);
    const n = bytes.length;
    return new ResponseApdu(bytes.slice(0, n - 2), (bytes[n - 2]! << 8) | bytes[n - 1]!);
  }

  static of(sw: number, data: Uint8Array = new Uint8Array(0)): ResponseApdu {
    return new ResponseApdu(data, sw);
  }
}
