/** Errors and explanations for what a card refuses, in words a user can act on. */
import { SwError } from "../../stack/errors.ts";
import { toHex } from "../../stack/bytes.ts";
import { swHex } from "../../stack/status-words.ts";

/** An AID the card does not know: `Application A000... not found on the card (6A88)`. */
export class AidNotFoundError extends SwError {
  override name = "AidNotFoundError";
  readonly aid: string;
  constructor(operation: string, what: string, aid: Uint8Array, sw: number, hint?: string) {
    super(operation, sw, hint === undefined ? {} : { hint });
    this.aid = toHex(aid);
    this.message = `${what} ${this.aid} not found on the card (${swHex(sw)})`;
  }
}
