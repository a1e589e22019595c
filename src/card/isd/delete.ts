/**
 * DELETE (GP 2.3.1 section 11.2): data `4F <AID>` deletes a card content
 * object; P2 80 deletes the object and its related objects (a load file with
 * its instances). Data `D0 01 id` and/or `D2 01 version` deletes keys of the
 * selected security domain (11.2.2.2): never the key set of the open
 * session. An SSD deletes only what is associated with it; with Delegated
 * Management it needs a token (9E) and answers with a receipt.
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { toHex } from "../../stack/bytes.ts";
import { parseTlvs, type Tlv } from "../../stack/tlv.ts";
import { FormatError } from "../../stack/errors.ts";
import { SW } from "../../stack/status-words.ts";
import { DELETE_P2, TAG } from "../../stack/gp/constants.ts";
import { splitDeleteToken } from "../../stack/gp/token.ts";
import type { AppContext } from "../application.ts";
import { refuse } from "../refusal.ts";
import { requireAuth, requireUnlockedCard, type IsdEnv } from "./isd-state.ts";
import { NO_RECEIPT } from "./install.ts";
import { acting, managementMode, owns } from "./domains.ts";
import { receipt, verifyDelegatedToken } from "./authority.ts";
import { deleteKeys } from "./delete-key.ts";

const OP = "DELETE";

function parse(data: Uint8Array): { tlvs: Tlv[]; body: Uint8Array; token: Uint8Array | undefined } {
  try {
    const { body, token } = splitDeleteToken(data);
    return { tlvs: parseTlvs(body), body, token };
  } catch (error) {
    if (error instanceof FormatError) refuse(OP, SW.WRONG_DATA, `data is not valid TLV: ${error.message}`);
    throw error;
  }
}

export function deleteObject(cmd: CommandApdu, env: IsdEnv, ctx: AppContext): ResponseApdu {
  if (cmd.p1 !== 0x00 || (cmd.p2 !== DELETE_P2.OBJECT && cmd.p2 !== DELETE_P2.OBJECT_AND_RELATED)) {
    refuse(OP, SW.INCORRECT_P1P2, "P1 must be 00 and P2 00 or 80");
  }
  requireAuth(OP, env, ctx);
  requireUnlockedCard(OP, env);
  const { tlvs, body, token } = parse(cmd.data);
  const sd = acting(env, ctx.aid);
  const aids = tlvs.filter((t) => t.tag === TAG.AID);
  if (aids.length === 0 && tlvs.some((t) => t.tag === 0xd0 || t.tag === 0xd2)) {
    deleteKeys(env, sd, tlvs, ctx);
    return ResponseApdu.of(SW.OK, NO_RECEIPT);
  }
  if (aids.length !== 1) refuse(OP, SW.WRONG_DATA, `data must hold one 4F (AID), or D0/D2 for keys; found ${aids.length} AIDs`);
  const aid = aids[0]!.value;
  const mode = managementMode(OP, sd);
  if (!sd.isIsd) {
    const owner = env.registry.application(aid)?.sdAid ?? env.registry.loadFile(aid)?.sdAid;
    if (owner && !owns(sd, owner)) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, `${toHex(aid)} is not associated with ${toHex(sd.aid)}`);
  }
  if (mode === "delegated") verifyDelegatedToken(OP, env, cmd.p1, cmd.p2, body, token);
  const related = cmd.p2 === DELETE_P2.OBJECT_AND_RELATED;
  env.manager.delete(aid, { related });
  ctx.log(`DELETE: ${toHex(aid)}${related ? " and related objects" : ""} deleted`);
  return ResponseApdu.of(SW.OK, mode === "delegated" ? receipt(env, [aid]) : NO_RECEIPT);
}
