/**
 * DELETE (GP 2.3.1 section 11.2): data `4F <AID>` (plus optional token
 * templates, ignored); P2 80 deletes the object and its related objects (a
 * load file with its instances).
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { toHex } from "../../stack/bytes.ts";
import { parseTlvs, type Tlv } from "../../stack/tlv.ts";
import { FormatError } from "../../stack/errors.ts";
import { SW } from "../../stack/status-words.ts";
import { DELETE_P2, TAG } from "../../stack/gp/constants.ts";
import type { AppContext } from "../application.ts";
import { refuse } from "../refusal.ts";
import { requireAuth, requireUnlockedCard, type IsdEnv } from "./isd-state.ts";
import { NO_RECEIPT } from "./install.ts";

const OP = "DELETE";

export function deleteObject(cmd: CommandApdu, env: IsdEnv, ctx: AppContext): ResponseApdu {
  if (cmd.p1 !== 0x00 || (cmd.p2 !== DELETE_P2.OBJECT && cmd.p2 !== DELETE_P2.OBJECT_AND_RELATED)) {
    refuse(OP, SW.INCORRECT_P1P2, "P1 must be 00 and P2 00 or 80");
  }
  requireAuth(OP, env, ctx);
  requireUnlockedCard(OP, env);
  let tlvs: Tlv[];
  try {
    tlvs = parseTlvs(cmd.data);
  } catch (error) {
    if (error instanceof FormatError) refuse(OP, SW.WRONG_DATA, `data is not valid TLV: ${error.message}`);
    throw error;
  }
  const aids = tlvs.filter((t) => t.tag === TAG.AID);
  if (aids.length !== 1) refuse(OP, SW.WRONG_DATA, `data must hold one 4F (AID), found ${aids.length}`);
  const aid = aids[0]!.value;
  const related = cmd.p2 === DELETE_P2.OBJECT_AND_RELATED;
  env.manager.delete(aid, { related });
  ctx.log(`DELETE: ${toHex(aid)}${related ? " and related objects" : ""} deleted`);
  return ResponseApdu.of(SW.OK, NO_RECEIPT);
}
