/**
 * Card recognition data (GP 2.3.1 Annex H): GET DATA 0066 answers
 * `66 { 73 { 06 OID, 60 {06 GP version}, 63 {06 card id scheme},
 * 64 {06 SCP OID}..., 65 config, 66 chip details } }`; the same 73 template
 * may appear in the ISD's FCI. OIDs hang under 1.2.840.114283 (GlobalPlatform).
 */
import { parseTlvTree, findDeep, type TlvNode } from "../tlv.ts";
import { decodeOid } from "./oid.ts";

const GP_OID = "1.2.840.114283";

/** What card recognition data says. */
export interface CardRecognition {
  /** GlobalPlatform version, "2.3.1". */
  gpVersion?: string;
  /** Secure channel protocols offered, with their i parameter. */
  scps: { scp: number; i: number }[];
  /** Every OID found, by tag, for display. */
  oids: { tag: number; oid: string }[];
}

function oidUnder(node: TlvNode): string | undefined {
  const o = node.children?.find((c) => c.tag === 0x06);
  return o ? decodeOid(o.value) : undefined;
}

/** Decode card recognition data from a GET DATA 0066 response or a 73 template. */
export function parseCardRecognition(bytes: Uint8Array): CardRecognition {
  const tree = parseTlvTree(bytes);
  const t73 = findDeep(tree, 0x73);
  const out: CardRecognition = { scps: [], oids: [] };
  for (const node of t73?.children ?? []) {
    const oid = node.tag === 0x06 ? decodeOid(node.value) : oidUnder(node);
    if (!oid) continue;
    out.oids.push({ tag: node.tag, oid });
    const rest = oid.startsWith(GP_OID + ".") ? oid.slice(GP_OID.length + 1).split(".").map(Number) : [];
    // 60: 1.2.840.114283.2.<version parts>; 64: 1.2.840.114283.4.<scp>.<i>.
    if (node.tag === 0x60 && rest[0] === 2) out.gpVersion = rest.slice(1).join(".");
    if (node.tag === 0x64 && rest[0] === 4 && rest.length >= 3) out.scps.push({ scp: rest[1]!, i: rest[2]! });
  }
  return out;
}
