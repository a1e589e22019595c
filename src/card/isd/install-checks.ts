/** Field checks of INSTALL shared by the APDU path and AppContext.cardManager (GP 2.3.1 section 11.5.2.3). */
import { toHex } from "../../stack/bytes.ts";
import { AID_LENGTH, isAidLength } from "../../stack/aid.ts";
import { FormatError } from "../../stack/errors.ts";
import { SW } from "../../stack/status-words.ts";
import { parseTlvs } from "../../stack/tlv.ts";
import { refuse } from "../refusal.ts";

/** Refuse an AID that is not 5-16 bytes. */
export function checkAidLength(op: string, aid: Uint8Array, what: string): void {
  if (!isAidLength(aid.length)) {
    refuse(op, SW.WRONG_DATA, `${what} ${toHex(aid) || "(empty)"} has ${aid.length} bytes, an AID has ${AID_LENGTH.MIN} to ${AID_LENGTH.MAX}`);
  }
}

/** Privileges as 3 bytes (1-byte form padded). */
export function normalisePrivileges(op: string, p: Uint8Array): Uint8Array {
  if (p.length === 1) return Uint8Array.of(p[0]!, 0, 0);
  if (p.length === 3) return p.slice();
  return refuse(op, SW.WRONG_DATA, `privileges of ${p.length} bytes: GP takes 1 or 3`);
}

/** Install parameters (GP 11.5.2.3.7): TLVs that must include C9 (application specific parameters). */
export function checkInstallParams(op: string, params: Uint8Array): void {
  let tags: number[];
  try {
    tags = parseTlvs(params).map((t) => t.tag);
  } catch (error) {
    if (error instanceof FormatError) refuse(op, SW.WRONG_DATA, `install parameters are not valid TLV: ${error.message}`);
    throw error;
  }
  if (!tags.includes(0xc9)) refuse(op, SW.WRONG_DATA, "install parameters lack tag C9 (application specific parameters)");
}

