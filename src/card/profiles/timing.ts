/**
 * Real-card timing (`webcard sim --timing NAME|MS`): every APDU takes a fixed
 * cost (the profile's `timing.apduMs`, or its `byIns` figure for slow
 * commands), plus the time its bytes take on the wire at the card's bit
 * rate, plus the time a LOAD takes to write its data (`loadByteMs` a byte).
 * The figures come from the traces' timings (REAL-CARDS.md appendix B and
 * each card's section, cited in the profile's `timing.source`).
 *
 * Bit rate: from the ATR's TA1 (Fi/Di, ISO/IEC 7816-3 section 8.3, tables 7
 * and 8) at the reader's clock (3.5712 MHz unless the profile says), or the
 * profile's `bitRate` (contactless: ISO/IEC 14443-2, 106 kbit/s). A character
 * takes 12 etu on T=0 (guard time 2 etu, section 7.2) and 11 on T=1 (CGT 11
 * etu, section 11.2); a contactless byte is counted as 10 bits.
 */
import { parseAtr, REFERENCE_CLOCK_HZ } from "../../stack/atr.ts";
import { UsageError } from "../../stack/errors.ts";
import { fromHex } from "../../stack/bytes.ts";
import type { VirtualCard } from "../virtual-card.ts";
import type { CardProfile } from "./profile.ts";

const INS_LOAD = 0xe8;

export interface CardTiming {
  /** What the figures are ("jcop4", "20 ms"), for the sim's line. */
  label: string;
  apduMs: number;
  loadByteMs: number;
  /** INS -> fixed cost, in place of apduMs. */
  byIns: ReadonlyMap<number, number>;
  /** Bits per second on the wire, and bits a byte takes there. */
  bitRate: number;
  bitsPerByte: number;
}

/** The wire of a card of profile `card`: its bit rate and frame. */
export function wireOf(card: CardProfile): { bitRate: number; bitsPerByte: number } {
  if (card.bitRate !== undefined) return { bitRate: card.bitRate, bitsPerByte: 10 };
  const atr = parseAtr(fromHex(card.atr));
  const bitRate = Math.round((atr.bitsPerSecond * (card.clockHz ?? REFERENCE_CLOCK_HZ)) / REFERENCE_CLOCK_HZ);
  return { bitRate, bitsPerByte: card.protocol === "T=0" ? 12 : 11 };
}

/**
 * `--timing NAME|MS` on a card of profile `card`: NAME takes that profile's
 * figures; MS is a fixed cost per APDU without a LOAD write cost. The wire is
 * always the card's own.
 */
export function timingFor(choice: string, card: CardProfile, profileNamed: (name: string) => CardProfile): CardTiming {
  const wire = wireOf(card);
  if (/^\d+(\.\d+)?$/.test(choice.trim())) {
    const ms = Number(choice);
    if (ms > 60_000) throw new UsageError(`--timing ${choice}: at most 60000 ms an APDU`);
    return { label: `${ms} ms an APDU`, apduMs: ms, loadByteMs: 0, byIns: new Map(), ...wire };
  }
  const figures = profileNamed(choice).timing;
  return {
    label: `${choice}'s figures`,
    apduMs: figures.apduMs,
    loadByteMs: figures.loadByteMs,
    byIns: new Map(Object.entries(figures.byIns ?? {}).map(([ins, ms]) => [parseInt(ins, 16), ms])),
    ...wire,
  };
}

/** How long the card takes for `command` answered by `response`, in ms. */
export function apduMs(t: CardTiming, command: Uint8Array, response: Uint8Array): number {
  const ins = command[1] ?? 0;
  const fixed = t.byIns.get(ins) ?? t.apduMs;
  const wire = ((command.length + response.length) * t.bitsPerByte * 1000) / t.bitRate;
  const write = ins === INS_LOAD ? dataLength(command) * t.loadByteMs : 0;
  return fixed + wire + write;
}

/** Lc of a short or extended APDU (0 without data). */
function dataLength(command: Uint8Array): number {
  if (command.length <= 5) return 0;
  if (command[4] !== 0) return command[4]!;
  return command.length > 7 ? (command[5]! << 8) | command[6]! : 0;
}

/** `card` taking the time `t` says for every command; `wait` is the clock (tests pass their own). */
export function withTiming(card: VirtualCard, t: CardTiming, wait: (ms: number) => Promise<void> = (ms) => Bun.sleep(ms)): VirtualCard {
  return {
    atr: () => card.atr(),
    powerOn: () => card.powerOn(),
    powerOff: () => card.powerOff(),
    reset: () => card.reset(),
    process: async (command) => {
      const response = await card.process(command);
      await wait(apduMs(t, command, response));
      return response;
    },
  };
}
