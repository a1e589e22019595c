/**
 * Application identifiers (ISO/IEC 7816-5 section 5.2): 5 to 16 bytes, a
 * registered application provider identifier (RID) of 5 then a proprietary
 * extension (PIX) of up to 11. The one place that knows what an AID is; hex
 * at the edges only, inside an AID is a Uint8Array.
 */
import { fromHex, hexProblem, isHex, toHex } from "./bytes.ts";
import { FormatError } from "./errors.ts";

/** Shortest and longest AID. */
export const AID_LENGTH = { MIN: 5, MAX: 16 } as const;

/** Whether `length` bytes make an AID. */
export function isAidLength(length: number): boolean {
  return length >= AID_LENGTH.MIN && length <= AID_LENGTH.MAX;
}

/** An AID from hex text (white space and colons ignored), or undefined when the text is not hex or not 5 to 16 bytes. */
export function aidFromText(text: string): Uint8Array | undefined {
  if (!isHex(text)) return undefined;
  const aid = fromHex(text);
  return isAidLength(aid.length) ? aid : undefined;
}

/** Parse an AID given as hex; `what` names it in the error ("Instance AID"). */
export function parseAid(text: string, what = "AID"): Uint8Array {
  let aid: Uint8Array;
  try {
    aid = fromHex(text);
  } catch (error) {
    throw new FormatError(`${what} '${text}' is not hex: ${hexProblem(text) ?? "give 5 to 16 bytes in hex"}`, undefined, { cause: error });
  }
  checkAid(aid, what);
  return aid;
}

/** Throw a FormatError unless `aid` has a valid AID length. */
function checkAid(aid: Uint8Array, what = "AID"): Uint8Array {
  if (!isAidLength(aid.length)) {
    throw new FormatError(`${what} ${toHex(aid) || "(empty)"} has ${aid.length} bytes, an AID has ${AID_LENGTH.MIN} to ${AID_LENGTH.MAX}`, aid);
  }
  return aid;
}
