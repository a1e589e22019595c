/**
 * The ISD's answer to SELECT (GP 2.3.1 section 11.9.3.1):
 * `6F { 84 AID, A5 { 73 security domain management data, 9F6E application
 * production life cycle data, 9F65 maximum length of data field in a command } }`.
 */
import { parseTlvTree, findDeep } from "../tlv.ts";
import { readUint } from "../bytes.ts";
import { TAG } from "./constants.ts";
import { parseCardRecognition, type CardRecognition } from "./card-data.ts";

/** What the FCI says. */
export interface Fci {
  /** The selected application's AID (84). */
  aid?: Uint8Array;
  /** Largest command data field the card takes (9F65), if given. */
  maxCommandData?: number;
  /** Security domain management data (73), decoded. */
  recognition?: CardRecognition;
  /** Application production life cycle data (9F6E), raw. */
  productionData?: Uint8Array;
}

/** Decode an FCI; tolerant of missing parts, since cards differ. Empty input gives an empty Fci. */
export function parseFci(bytes: Uint8Array): Fci {
  if (bytes.length === 0) return {};
  const tree = parseTlvTree(bytes);
  const out: Fci = {};
  const aid = findDeep(tree, 0x84);
  if (aid) out.aid = aid.value;
  const max = findDeep(tree, TAG.MAX_BLOCK_SIZE);
  if (max && max.value.length >= 1 && max.value.length <= 4) out.maxCommandData = readUint(max.value, 0, max.value.length);
  const t73 = findDeep(tree, 0x73);
  if (t73) out.recognition = parseCardRecognition(bytes);
  const prod = findDeep(tree, 0x9f6e);
  if (prod) out.productionData = prod.value;
  return out;
}
