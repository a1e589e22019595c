/**
 * The CPLC fields STORE DATA may set on the ISD (stack/gp/cplc.ts
 * CPLC_PERSO_TAG, as GlobalPlatformPro's --set-pre-perso and --set-perso send
 * them): 8 bytes each, the ISD only. GET DATA 9F7F then carries them.
 */
import { hexNumber } from "../../stack/bytes.ts";
import { CPLC_PERSO_LENGTH, CPLC_PERSO_TAG } from "../../stack/gp/cplc.ts";
import { SW } from "../../stack/status-words.ts";
import { refuse } from "../refusal.ts";

export const CPLC_TAG = CPLC_PERSO_TAG;

/** Refuse a CPLC field that is not 8 bytes, or that is sent to a supplementary security domain. */
export function checkCplcObject(op: string, tag: number, value: Uint8Array, isIsd: boolean): void {
  if (tag !== CPLC_TAG.PRE_PERSO && tag !== CPLC_TAG.PERSO) return;
  if (!isIsd) refuse(op, SW.WRONG_DATA, `${hexNumber(tag)} is part of the card's CPLC: send it to the ISD`);
  if (value.length !== CPLC_PERSO_LENGTH) refuse(op, SW.WRONG_DATA, `${hexNumber(tag)} must be ${CPLC_PERSO_LENGTH} bytes (personalizer, date, equipment ID), got ${value.length}`);
}
