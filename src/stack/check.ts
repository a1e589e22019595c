/**
 * The one way protocol code turns an unexpected status word into an error
 * (GlobalPlatformPro's `check(response, "what failed", allowed...)`): status
 * words stay data below this, and become a SwError naming the operation here.
 */
import { SwError } from "./errors.ts";
import { SW } from "./status-words.ts";

/** Anything with a status word: a ResponseApdu or a raw number. */
export type HasSw = { readonly sw: number } | number;

/**
 * Throw a SwError unless the SW is 9000 or one of `allowed`.
 * Returns the input so it can be chained: `check(await send(...), "LOAD").data`.
 */
export function check<T extends HasSw>(response: T, operation: string, ...allowed: number[]): T {
  const sw = typeof response === "number" ? response : response.sw;
  if (sw === SW.OK || allowed.includes(sw)) return response;
  throw new SwError(operation, sw);
}
