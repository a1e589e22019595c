/**
 * A bounds-checked cursor over one CAP component, so that every short read
 * becomes a FormatError that names the component instead of an undefined byte.
 */
import { FormatError } from "../errors.ts";

export class ByteReader {
  offset: number;
  constructor(
    readonly bytes: Uint8Array,
    /** What is being read, for messages ("the Applet component"). */
    readonly what: string,
    offset = 0,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Fail unless `n` more bytes are there. */
  need(n: number): void {
    if (this.offset + n > this.bytes.length) {
      throw new FormatError(
        `${this.what} is truncated: needs ${this.offset + n} bytes, has ${this.bytes.length}`,
        this.bytes,
      );
    }
  }

  u1(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  u2(): number {
    this.need(2);
    const v = (this.bytes[this.offset]! << 8) | this.bytes[this.offset + 1]!;
    this.offset += 2;
    return v;
  }

  u4(): number {
    const hi = this.u2();
    return hi * 0x10000 + this.u2();
  }

  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}
