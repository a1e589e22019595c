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
