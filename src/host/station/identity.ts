/**
 * A card's identity, read without authentication: the key of its row in the
 * record and, by choice, of its data and key rows.
 *
 * - cplc: GET DATA 9F7F (GP 2.3.1 H.6): IC fabricator, IC type, IC serial
 *   number and IC batch identifier, 10 bytes that name one chip.
 * - iccid: EF.ICCID (2FE2 under the MF) of a UICC, ETSI TS 102 221 13.2:
 *   10 bytes of BCD with the nibbles of each byte swapped, F as padding.
 * - tag: the value of one GET DATA object of the ISD.
 */
import { CommandApdu } from "../../stack/apdu.ts";
import { toHex } from "../../stack/bytes.ts";
import { check } from "../../stack/check.ts";
import { WebcardError } from "../../stack/errors.ts";
import { CLA, DATA_TAG } from "../../stack/gp/constants.ts";
import { getData } from "../../stack/gp/commands.ts";
import { parseCplc } from "../../stack/gp/cplc.ts";
import { hexNumber } from "../../stack/hex.ts";
import { parseTlvs } from "../../stack/tlv.ts";
import { send, type Transport } from "../../stack/transport/transport.ts";
import { discoverIsd } from "../gp/discover.ts";
import type { IdentitySource } from "./job.ts";

/** The CPLC fields that together name one chip. */
const CPLC_IDENTITY = ["ICFabricator", "ICType", "ICSerialNumber", "ICBatchIdentifier"];

/** GET DATA with CLA 80, then 00 (some cards answer one only); the TLV's value. */
async function dataObject(transport: Transport, tag: number): Promise<Uint8Array | undefined> {
  for (const cla of [CLA.GP, CLA.ISO]) {
    const r = await send(transport, getData(tag, cla));
    if (!r.ok) continue;
    try {
      return parseTlvs(r.data).find((t) => t.tag === tag)?.value ?? r.data;
    } catch {
      return r.data;
    }
  }
  return undefined;
}

/** ICCID digits from EF.ICCID: nibbles swapped, F padding dropped. */
export function iccidDigits(bytes: Uint8Array): string {
  const swapped = [...bytes].map((b) => ((b & 0x0f) << 4) | (b >> 4));
  return toHex(Uint8Array.from(swapped)).replace(/F+$/, "");
}

/** Read the card's identity (upper-case hex or digits). */
export async function readIdentity(transport: Transport, source: IdentitySource): Promise<string> {
  if (source.kind === "iccid") {
    // SELECT MF, then EF.ICCID by file identifier (ISO 7816-4 P1 00), then READ BINARY of its 10 bytes.
    for (const fid of [0x3f00, 0x2fe2]) {
      const r = await send(transport, new CommandApdu({ cla: CLA.ISO, ins: 0xa4, p1: 0x00, p2: 0x04, data: Uint8Array.of(fid >> 8, fid & 0xff), ne: 256 }));
      if (!r.ok && r.sw1 !== 0x61) throw new WebcardError(`The card has no ICCID: SELECT ${hexNumber(fid, 4)} answered ${r.toString()}`, { hint: "choose identity cplc or tag:XXXX in the job" });
    }
    const data = check(await send(transport, new CommandApdu({ cla: CLA.ISO, ins: 0xb0, p1: 0, p2: 0, ne: 10 })), "READ BINARY (EF.ICCID)").data;
    return iccidDigits(data);
  }
  await discoverIsd(transport);
  const tag = source.kind === "cplc" ? DATA_TAG.CPLC : source.tag;
  const value = await dataObject(transport, tag);
  if (!value || value.length === 0) throw new WebcardError(`The card does not answer GET DATA ${hexNumber(tag, 4)}, its identity in this job`, { hint: "choose another identity in the job (cplc, iccid, tag:XXXX)" });
  if (source.kind === "tag") return toHex(value);
  const fields = parseCplc(value);
  return CPLC_IDENTITY.map((name) => fields.find((f) => f.name === name)!.hex).join("");
}
