/**
 * Errors become text here (STYLE.md rule 10): one line, and JSON with the
 * SW when a card refused something.
 */
import { errorLine, FormatError, SwError, TransportError, UsageError, WebcardError } from "../stack/errors.ts";

/** HTTP status for an error: 409 busy, 400 bad input, 502 the card failed, 500 otherwise. */
export function errorStatus(error: unknown): 400 | 409 | 500 | 502 | 503 {
  if (error instanceof TransportError) return error.kind === "busy" ? 409 : error.kind === "no-service" ? 503 : 502;
  if (error instanceof UsageError || error instanceof FormatError) return 400;
  if (error instanceof SwError || error instanceof WebcardError) return 502;
  return 500;
}

/** Advice written for the command line: an option or a `webcard` command. */
const CLI_ADVICE = /(^|\s)--[a-z]|\bwebcard [a-z]/;

/**
 * The one line a browser shows for an error: the CLI's line without advice
 * that names options or commands (a browser user has neither), and for a
 * package already on the card the dashboard's own choice ("replace").
 */
export function browserLine(error: unknown): string {
  if (!(error instanceof WebcardError)) return errorLine(error);
  const hint = error.hint && !CLI_ADVICE.test(error.hint) ? error.hint : undefined;
  if (hint) return `${error.message} (${hint})`;
  if (/ is already on the card\b| are already on the card\b/.test(error.message)) return `${error.message} (choose "Replace what is on the card" to replace it)`;
  return error.message;
}

/** The JSON body for an error. */
export function errorBody(error: unknown): { ok: false; error: string; sw?: string; type?: string } {
  const out: { ok: false; error: string; sw?: string; type?: string } = { ok: false, error: browserLine(error) };
  if (error instanceof SwError) out.sw = error.swHex;
  if (error instanceof Error) out.type = error.name;
  return out;
}
