/**
 * A command the card refuses: the status word it answers and a readable
 * reason for the card's log. Throwing one inside a command rolls back every
 * write that command made (the card core runs each APDU in one transaction).
 */
import { SwError } from "../stack/errors.ts";

export class CardRefusal extends SwError {
  override name = "CardRefusal";
  /** Why, in one line, for the card's log ("imported package A0000000620101 1.6 is not on the card"). */
  readonly reason: string;
  constructor(operation: string, sw: number, reason: string) {
    super(operation, sw, { detail: reason });
    this.reason = reason;
  }
}

/** Throw a refusal: `refuse("LOAD", SW.WRONG_DATA, "C4 length does not match")`. */
export function refuse(operation: string, sw: number, reason: string): never {
  throw new CardRefusal(operation, sw, reason);
}

/** SQLite could not grow the card memory: the file system is full (SQLITE_FULL, or ENOSPC underneath). */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "SQLITE_FULL" || code === "ENOSPC";
}

/**
 * What a command that threw `error` answers: a refusal as it is; a full disk
 * met mid-command (SQLite spilling pages before the commit) as 6A84, the
 * card's "not enough memory"; anything else undefined (an internal error).
 */
export function asRefusal(error: unknown, operation = "memory"): CardRefusal | undefined {
  if (error instanceof CardRefusal) return error;
  if (isDiskFull(error)) return new CardRefusal(operation, 0x6a84, "the file system holding the card memory is full; nothing was written");
  return undefined;
}
