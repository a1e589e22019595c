/**
 * Set the CPLC's pre-personalisation or personalisation fields
 * (stack/gp/cplc.ts CPLC_PERSO_TAG) as GlobalPlatformPro does: one STORE
 * DATA (P1 80, the last block, format not stated) to the ISD with
 * `9F67 08 ...` or `9F66 08 ...`, then GET DATA 9F7F to read back what the
 * card now holds.
 */
import { check } from "../../stack/check.ts";
import { UsageError } from "../../stack/errors.ts";
import { getData } from "../../stack/gp/commands.ts";
import { DATA_TAG } from "../../stack/gp/constants.ts";
import { CPLC_PERSO_LENGTH, CPLC_PERSO_TAG, parseCplc, type CplcField } from "../../stack/gp/cplc.ts";
import { encodeTlv } from "../../stack/tlv.ts";
import { send } from "../../stack/transport/transport.ts";
import { personalize } from "./domains.ts";
import type { GpSession } from "./session.ts";

export type CplcPersoField = "pre-perso" | "perso";

/** STORE DATA of the 8 bytes of `field` to the session's ISD; returns the CPLC the card answers afterwards. */
export async function setCplcPerso(session: GpSession, field: CplcPersoField, data: Uint8Array): Promise<CplcField[]> {
  if (data.length !== CPLC_PERSO_LENGTH) throw new UsageError(`CPLC ${field} data must be ${CPLC_PERSO_LENGTH} bytes (personalizer 2, date 2, equipment ID 4), got ${data.length}`);
  const tag = field === "pre-perso" ? CPLC_PERSO_TAG.PRE_PERSO : CPLC_PERSO_TAG.PERSO;
  await personalize(session, undefined, [encodeTlv(tag, data)]);
  const r = check(await send(session.channel, getData(DATA_TAG.CPLC)), "GET DATA (CPLC)");
  return parseCplc(r.data);
}
