/**
 * The link application's answer to SELECT (docs/link-protocol.md section 3):
 *
 *   6F L
 *     84 L  link AID
 *     A5 L
 *       80 01     version
 *       81 02     largest command data field the card takes (00FF short, up to FFFF)
 *       82 02     largest response data field the card returns (0100 short; 0000 = 65,536)
 *       83 04     largest HTTP message the card buffers
 *       84 01     most sessions open at once
 *       A0 L      agents: A1 L { 80 01 id, 81 L UTF-8 name } ...
 */
import { FormatError } from "../errors.ts";
import { concat, readUint, u16, uintBytes, hexNumber } from "../bytes.ts";
import { encodeTlv, findTag, parseTlvs } from "../tlv.ts";
import { LINK_AID, LINK_TAG } from "./constants.ts";

export interface LinkAgent {
  readonly id: number;
  readonly name: string;
}

export interface LinkInfo {
  readonly version: number;
  readonly maxCommand: number;
  readonly maxResponse: number;
  readonly maxMessage: number;
  readonly maxSessions: number;
  readonly agents: readonly LinkAgent[];
  readonly aid: Uint8Array;
}

/** Encode the SELECT answer for `info`. */
export function encodeLinkInfo(info: Omit<LinkInfo, "aid"> & { aid?: Uint8Array }): Uint8Array {
  const agents = info.agents.map((a) =>
    encodeTlv(LINK_TAG.AGENT, encodeTlv(LINK_TAG.AGENT_ID, Uint8Array.of(a.id)), encodeTlv(LINK_TAG.AGENT_NAME, new TextEncoder().encode(a.name))),
  );
  const proprietary = encodeTlv(
    LINK_TAG.PROPRIETARY,
    encodeTlv(LINK_TAG.VERSION, Uint8Array.of(info.version)),
    encodeTlv(LINK_TAG.MAX_COMMAND, u16(info.maxCommand)),
    encodeTlv(LINK_TAG.MAX_RESPONSE, u16(info.maxResponse & 0xffff)),
    encodeTlv(LINK_TAG.MAX_MESSAGE, uintBytes(info.maxMessage, 4)),
    encodeTlv(LINK_TAG.MAX_SESSIONS, Uint8Array.of(info.maxSessions)),
    encodeTlv(LINK_TAG.AGENTS, concat(...agents)),
  );
  return encodeTlv(LINK_TAG.FCI, encodeTlv(LINK_TAG.AID, info.aid ?? LINK_AID), proprietary);
}

function need(tlvs: ReturnType<typeof parseTlvs>, tag: number, what: string, bytes: Uint8Array): Uint8Array {
  const t = findTag(tlvs, tag);
  if (!t) throw new FormatError(`Link SELECT answer lacks ${what} (tag ${hexNumber(tag)})`, bytes);
  return t.value;
}

/** Parse the SELECT answer; throws FormatError when it is not a link application's. */
export function decodeLinkInfo(bytes: Uint8Array): LinkInfo {
  const top = parseTlvs(bytes);
  const fci = need(top, LINK_TAG.FCI, "the FCI template", bytes);
  const inner = parseTlvs(fci);
  const aid = need(inner, LINK_TAG.AID, "the AID", bytes);
  const prop = parseTlvs(need(inner, LINK_TAG.PROPRIETARY, "the link parameters", bytes));
  const int = (tag: number, what: string) => {
    const v = need(prop, tag, what, bytes);
    return readUint(v, 0, v.length);
  };
  const maxResponse = int(LINK_TAG.MAX_RESPONSE, "the largest response");
  const agents = parseTlvs(need(prop, LINK_TAG.AGENTS, "the agents", bytes)).map((a) => {
    const fields = parseTlvs(a.value);
    return {
      id: need(fields, LINK_TAG.AGENT_ID, "an agent id", bytes)[0]!,
      name: new TextDecoder().decode(need(fields, LINK_TAG.AGENT_NAME, "an agent name", bytes)),
    };
  });
  return {
    aid: aid.slice(),
    version: int(LINK_TAG.VERSION, "the version"),
    maxCommand: int(LINK_TAG.MAX_COMMAND, "the largest command"),
    maxResponse: maxResponse === 0 ? 65_536 : maxResponse,
    maxMessage: int(LINK_TAG.MAX_MESSAGE, "the largest message"),
    maxSessions: int(LINK_TAG.MAX_SESSIONS, "the session limit"),
    agents,
  };
}
