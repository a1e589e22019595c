/**
 * Application identifiers (ISO/IEC 7816-5): 5 to 16 bytes, RID of 5 then PIX.
 * Hex at the edges only; inside, an AID is a Uint8Array.
 */
import { fromHex, toHex } from "../bytes.ts";
import { FormatError } from "../errors.ts";

/** Shortest and longest AID (ISO/IEC 7816-5 section 5.2). */
export const AID_LENGTH = { MIN: 5, MAX: 16 } as const;

/** Parse an AID given as hex; `what` names it in the error ("Instance AID"). */
export function parseAid(text: string, what = "AID"): Uint8Array {
  let aid: Uint8Array;
  try {
    aid = fromHex(text);
  } catch (error) {
    throw new FormatError(`${what} '${text}' is not hex`, undefined, { cause: error });
  }
  checkAid(aid, what);
  return aid;
}

/** Throw a FormatError unless `aid` has a valid AID length. */
export function checkAid(aid: Uint8Array, what = "AID"): Uint8Array {
  if (aid.length < AID_LENGTH.MIN || aid.length > AID_LENGTH.MAX) {
    throw new FormatError(
      `${what} ${toHex(aid) || "(empty)"} has ${aid.length} bytes, an AID has ${AID_LENGTH.MIN} to ${AID_LENGTH.MAX}`,
      aid,
    );
  }
  return aid;
}
