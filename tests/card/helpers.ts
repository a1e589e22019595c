/** Test helpers for the simulated card: APDUs as hex, install sequences for a CAP. */
import { concat, fromHex, toHex } from "../../src/stack/bytes.ts";
import { encodeTlv } from "../../src/stack/tlv.ts";
import type { VirtualCard } from "../../src/card/virtual-card.ts";
import type { CapFile } from "../../src/stack/cap/load-file.ts";

/** Send hex, get hex (data + SW) back. */
export async function apdu(card: VirtualCard, hex: string): Promise<string> {
  return toHex(await card.process(fromHex(hex)));
}

/** The SW of a response hex. */
export const swOf = (hex: string) => hex.slice(-4);

/** Short APDU with CLA INS P1 P2 and data. */
export function cmd(cla: number, ins: number, p1: number, p2: number, data: Uint8Array = new Uint8Array(0), le?: number): Uint8Array {
  const head = [cla, ins, p1, p2];
  if (data.length === 0) return Uint8Array.of(...head, ...(le === undefined ? [] : [le]));
  return Uint8Array.of(...head, data.length, ...data, ...(le === undefined ? [] : [le]));
}

const lv = (b: Uint8Array) => concat(b.length, b);

/** The plain (CLA 80) APDUs that load and install a CAP: INSTALL [for load], LOAD blocks, INSTALL [for install and make selectable] per applet. */
export function installSequence(cap: CapFile, blockSize = 247, isd = fromHex("A000000151000000")): Uint8Array[] {
  const out: Uint8Array[] = [];
  out.push(cmd(0x80, 0xe6, 0x02, 0x00, concat(lv(cap.packageAid), lv(isd), 0, 0, 0), 0));
  const file = encodeTlv(0xc4, cap.lfdb);
  const blocks = Math.ceil(file.length / blockSize);
  for (let i = 0; i < blocks; i++) {
    const part = file.subarray(i * blockSize, (i + 1) * blockSize);
    out.push(cmd(0x80, 0xe8, i === blocks - 1 ? 0x80 : 0x00, i, part, 0));
  }
  for (const applet of cap.applets) {
    const data = concat(lv(cap.packageAid), lv(applet.aid), lv(applet.aid), lv(Uint8Array.of(0)), lv(fromHex("C900")), 0);
    out.push(cmd(0x80, 0xe6, 0x0c, 0x00, data, 0));
  }
  return out;
}

/** Every page of a tagged GET STATUS (P1 = subset), following 6310; returns the concatenated data and the pages' SWs. */
export async function getStatusAll(card: VirtualCard, p1: number, send: (c: Uint8Array) => Promise<Uint8Array> = async (c) => card.process(c)): Promise<{ data: Uint8Array; sws: string[] }> {
  const parts: Uint8Array[] = [];
  const sws: string[] = [];
  let p2 = 0x02;
  for (let i = 0; i < 100; i++) {
    const r = await send(cmd(0x80, 0xf2, p1, p2, fromHex("4F00"), 0));
    const sw = toHex(r.subarray(r.length - 2));
    sws.push(sw);
    if (sw !== "9000" && sw !== "6310") break;
    parts.push(r.subarray(0, r.length - 2));
    if (sw === "9000") break;
    p2 = 0x03;
  }
  return { data: concat(...parts), sws };
}
