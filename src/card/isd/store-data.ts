/**
 * STORE DATA (GP 2.3.1 section 11.11): personalisation data, to the
 * selected security domain itself or, after INSTALL [for personalization],
 * through it to one of its applications. Blocks are numbered from 00 in P2;
 * P1 b8 marks the last, which ends the session.
 *
 * Data for the SD itself in BER-TLV (or unstated) format becomes its data
 * objects, which GET DATA then answers (for example 42 the SD provider
 * identifier and 45 the SD image number, GP 7.4.1). Data for an application
 * goes to the card's PersonalizationSink.
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { equal, toHex } from "../../stack/bytes.ts";
import { hexNumber } from "../../stack/hex.ts";
import { FormatError } from "../../stack/errors.ts";
import { SW } from "../../stack/status-words.ts";
import { parseStoreDataP1 } from "../../stack/gp/store-data.ts";
import { parseTlvs } from "../../stack/tlv.ts";
import { APP_LIFECYCLE } from "../../stack/gp/constants.ts";
import type { AppContext } from "../application.ts";
import { refuse } from "../refusal.ts";
import { appStore } from "../store/app-store.ts";
import { acting } from "./domains.ts";
import { requireAuth, requireUnlockedCard, type IsdEnv } from "./isd-state.ts";
import { META } from "../store/schema.ts";
import { storeCertificates } from "./scp11-put-key.ts";
import { checkCplcObject } from "./cplc-data.ts";
import { ISD_AID_TAG, renameIsd } from "./rename-isd.ts";

const OP = "STORE DATA";

/** Data objects the card computes itself: STORE DATA cannot overwrite them. */
const COMPUTED_TAGS: readonly number[] = [0xe0, 0xc1, 0x66, 0x67, 0x9f7f, 0xff21];

/** The key of a stored data object of an SD in its own store. */
export const dataObjectKey = (tag: number) => `gp.do.${hexNumber(tag, 4)}`;

export function storeData(cmd: CommandApdu, env: IsdEnv, ctx: AppContext): ResponseApdu {
  requireAuth(OP, env, ctx);
  requireUnlockedCard(OP, env);
  const sd = acting(env, ctx.aid);
  const p = parseStoreDataP1(cmd.p1);
  if (p.format === "reserved" || p.encryption === "reserved") {
    refuse(OP, SW.INCORRECT_P1P2, `P1 ${hexNumber(cmd.p1)} uses reserved format or encryption bits`);
  }
  const session = env.storeData && equal(env.storeData.sd, sd.aid) ? env.storeData : { app: sd.aid, sd: sd.aid, nextBlock: 0 };
  if (cmd.p2 !== session.nextBlock) refuse(OP, SW.INCORRECT_P1P2, `block number ${cmd.p2}, expected ${session.nextBlock}`);
  if (cmd.data.length === 0) refuse(OP, SW.WRONG_LENGTH, "a STORE DATA block carries no data");
  let out: Uint8Array = new Uint8Array(0);
  if (equal(session.app, sd.aid)) {
    // The ISD's SCP11 certificate store (A6 { 83 KID KVN } BF21 {...}, amendment F 7.4) is key material, not a data object.
    const certificates = sd.isIsd && env.store.meta(META.SCP11) !== undefined && storeCertificates(env, cmd.data, ctx);
    if (!certificates) storeIntoDomain(env, sd.aid, sd.isIsd, p.format, p.encryption, cmd.data);
    if (p.last && !sd.isIsd && sd.lifecycle === APP_LIFECYCLE.SELECTABLE) {
      // An SSD that received its personalisation is PERSONALIZED (GP 5.3.2).
      env.registry.setApplication(sd.aid, { lifecycle: APP_LIFECYCLE.PERSONALIZED });
    }
  } else {
    out = env.personalization.deliver(session.app, { block: cmd.p2, last: p.last, format: p.format, encryption: p.encryption, data: cmd.data });
  }
  env.storeData = p.last ? undefined : { ...session, nextBlock: session.nextBlock + 1 };
  ctx.log(`${OP}: block ${cmd.p2}${p.last ? " (last)" : ""}, ${cmd.data.length} bytes, ${p.format} format, to ${toHex(session.app)}`);
  return ResponseApdu.of(SW.OK, out);
}

function storeIntoDomain(env: IsdEnv, sd: Uint8Array, isIsd: boolean, format: string, encryption: string, data: Uint8Array): void {
  if (encryption !== "none") refuse(OP, SW.WRONG_DATA, "this card takes a security domain's own data in clear only (P1 b7-b6 = 00)");
  if (format === "dgi") refuse(OP, SW.WRONG_DATA, "this card takes a security domain's own data as BER-TLV (P1 b5-b4 = 10), not DGI");
  let tlvs;
  try {
    tlvs = parseTlvs(data);
  } catch (error) {
    if (error instanceof FormatError) refuse(OP, SW.WRONG_DATA, `the data is not BER-TLV: ${error.message}`);
    throw error;
  }
  const store = appStore(env.store, sd, () => env.manager.freeMemory());
  let newAid: Uint8Array | undefined;
  for (const t of tlvs) {
    if (COMPUTED_TAGS.includes(t.tag)) refuse(OP, SW.WRONG_DATA, `data object ${hexNumber(t.tag)} is computed by the card and cannot be stored`);
    if (t.value.length > 1024) refuse(OP, SW.WRONG_DATA, `data object ${hexNumber(t.tag)} of ${t.value.length} bytes exceeds 1024`);
    checkCplcObject(OP, t.tag, t.value, isIsd);
    // 4F to the ISD: its new AID (rename-isd.ts), taken after the other objects so they move along; not a data object.
    if (t.tag === ISD_AID_TAG && isIsd) newAid = t.value;
    else store.set(dataObjectKey(t.tag), t.value);
  }
  if (newAid) renameIsd(OP, env, newAid);
}
