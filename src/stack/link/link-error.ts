/** Errors of the web-card link: a session refused, a chunk rejected, the peer gone. */
import { WebcardError } from "../errors.ts";
import { LINK_ERROR_TEXT } from "./constants.ts";
import { hexNumber } from "../bytes.ts";

/** A link session failed; `code` is a LINK_ERROR code, `detectedBy` the end that noticed. */
export class LinkError extends WebcardError {
  override name = "LinkError";
  readonly code: number;
  readonly session: number;
  readonly detectedBy: "card" | "terminal";
  constructor(code: number, session: number, detectedBy: "card" | "terminal", reason: string, options?: { cause?: unknown; hint?: string }) {
    const what = LINK_ERROR_TEXT[code] ?? `error ${code}`;
    super(`Link session ${hexNumber(session)} failed, ${what} (${detectedBy}): ${reason}`, options);
    this.code = code;
    this.session = session;
    this.detectedBy = detectedBy;
  }
}
