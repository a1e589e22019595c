/**
 * Give the ISD a new AID as GlobalPlatformPro's --rename-isd does: STORE
 * DATA (P1 90: the last block, BER-TLV) of `4F <length> <AID>` in the ISD's
 * session; then SELECT of the new AID shows the card answers to it.
 */
import { check } from "../../stack/check.ts";
import { SwError } from "../../stack/errors.ts";
import { select } from "../../stack/gp/commands.ts";
import { encodeTlv } from "../../stack/tlv.ts";
import { send } from "../../stack/transport/transport.ts";
import { toHex } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import { personalize } from "./domains.ts";
import type { GpSession } from "./session.ts";

/** STORE DATA 4F to the session's ISD; `plain` (the transport without the secure channel) selects the new AID afterwards. */
export async function renameIsd(session: GpSession, aid: Uint8Array, plain: Parameters<typeof send>[0]): Promise<void> {
  try {
    await personalize(session, undefined, [encodeTlv(0x4f, aid)], { format: "ber-tlv" });
  } catch (error) {
    if (error instanceof SwError && error.sw === SW.WRONG_DATA) {
      throw new SwError("STORE DATA (new ISD AID)", error.sw, { cause: error, detail: `the card refused ${toHex(aid)}: another application, package or domain uses it` });
    }
    throw error;
  }
  const r = await send(plain, select(aid));
  if (!r.ok) throw new SwError("SELECT of the new ISD AID", r.sw, { detail: "the card took the new AID but does not answer to it" });
  check(r, "SELECT");
}
