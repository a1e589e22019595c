/**
 * A card whose persistent memory failed its power-on check. It must not
 * serve what it read: it answers its ATR (the chip runs) and then every
 * command with 6A81, the GlobalPlatform answer of a locked card to SELECT
 * (GP 2.3.1 section 11.9.3) and ISO 7816-4's "function not supported", as
 * a card that put itself in TERMINATED would. Nothing is ever written.
 */
import { SW } from "../stack/status-words.ts";
import { ATR } from "./core/atr.ts";
import type { VirtualCard } from "./virtual-card.ts";

/** The status word of every command to a damaged card. */
export const DAMAGED_CARD_SW = SW.FUNCTION_NOT_SUPPORTED;

export function damagedCard(): VirtualCard {
  const answer = (sw: number) => Uint8Array.of(sw >> 8, sw & 0xff);
  return {
    atr: () => ATR.slice(),
    powerOn: () => {},
    powerOff: () => {},
    reset: () => {},
    process: (command) => answer(command.length < 4 ? SW.WRONG_LENGTH : DAMAGED_CARD_SW),
  };
}
