/**
 * A tiny test card for the PC/SC integration tests and the benchmark.
 *
 *   00 A4 ...            SELECT: 9000
 *   80 EC 00 00 Lc data  ECHO: the data back, 9000 (short or extended)
 *   80 E2 P1 P2 Le       GET N: P1P2 bytes (0000 = 65,536) of 00 01 02 ..., 9000
 *   80 E4 ...            COUNT: number of commands since power on (4 bytes), 9000
 *   80 EE ...            SHORT: a one-byte answer, no SW (as a card dying mid-answer)
 *   anything else        6D00
 */
import { CommandApdu } from "../../src/stack/apdu.ts";
import type { VirtualCard } from "../../src/card/virtual-card.ts";

/** ATR with T=1 (REFERENCE.md section 2). */
export const ECHO_ATR = new Uint8Array([0x3b, 0x80, 0x80, 0x01, 0x01]);

/**
 * An ATR unique to one test card: T=1 with 8 historical bytes (ISO 7816-3
 * section 8.2: T0 = 88, TD1 = 80, TD2 = 01, then the bytes, then TCK), so a
 * test finds its own card whichever reader name vpcd shows it under.
 */
export function uniqueAtr(tag: Uint8Array = crypto.getRandomValues(new Uint8Array(8))): Uint8Array {
  const atr = new Uint8Array([0x3b, 0x88, 0x80, 0x01, ...tag.subarray(0, 8), 0]);
  let tck = 0;
  for (let i = 1; i < atr.length - 1; i++) tck ^= atr[i]!;
  atr[atr.length - 1] = tck;
  return atr;
}

export const INS = { SELECT: 0xa4, ECHO: 0xec, GET: 0xe2, COUNT: 0xe4, SHORT: 0xee } as const;

const OK = [0x90, 0x00];

/** The echo card; `powerOns` counts power-ons (a reconnect with reset shows up here). */
export class EchoCard implements VirtualCard {
  powerOns = 0;
  commands = 0;

  constructor(private readonly answerToReset: Uint8Array = ECHO_ATR) {}

  atr(): Uint8Array {
    return this.answerToReset;
  }
  powerOn(): void {
    this.powerOns++;
    this.commands = 0;
  }
  powerOff(): void {
    this.commands = 0;
  }
  reset(): void {
    this.powerOn();
  }
  process(bytes: Uint8Array): Uint8Array {
    this.commands++;
    let cmd: CommandApdu;
    try {
      cmd = CommandApdu.parse(bytes);
    } catch {
      return new Uint8Array([0x67, 0x00]);
    }
    switch (cmd.ins) {
      case INS.SELECT:
        return new Uint8Array(OK);
      case INS.ECHO: {
        const out = new Uint8Array(cmd.data.length + 2);
        out.set(cmd.data);
        out.set(OK, cmd.data.length);
        return out;
      }
      case INS.GET: {
        const n = ((cmd.p1 << 8) | cmd.p2) || 65_536;
        const out = new Uint8Array(n + 2);
        for (let i = 0; i < n; i++) out[i] = i & 0xff;
        out.set(OK, n);
        return out;
      }
      case INS.COUNT: {
        const c = this.commands;
        return new Uint8Array([c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff, ...OK]);
      }
      case INS.SHORT:
        return new Uint8Array([0x90]);
      default:
        return new Uint8Array([0x6d, 0x00]);
    }
  }
}
