/** GET DATA (GP 2.3.1 section 11.3): P1 P2 name the data object; CLA 00 or 80. */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { encodeTlv } from "../../stack/tlv.ts";
import { SW } from "../../stack/status-words.ts";
import { CLA, DATA_TAG } from "../../stack/gp/constants.ts";
import { META } from "../store/schema.ts";
import { refuse } from "../refusal.ts";
import type { IsdEnv } from "./isd-state.ts";
import type { AppContext } from "../application.ts";
import { appStore } from "../store/app-store.ts";
import { acting } from "./domains.ts";
import { CPLC_TAG } from "./cplc-data.ts";
import { dataObjectKey } from "./store-data.ts";
import {
  cardCapabilities,
  cardRecognitionData,
  cplc,
  extendedCardResources,
  keyInformation,
  sequenceCounter,
} from "./card-data.ts";
import { hexNumber } from "../../stack/bytes.ts";
import { counterKeys } from "../core/sd-counters.ts";

/** GET DATA BF21 with A6 { 83 KID KVN }: SCP11 certificates (amendment F 7.4). */
const CERTIFICATE_STORE = 0xbf21;

/** Free transient memory the card reports (a fixed figure: the simulation has no RAM limit). */
const FREE_TRANSIENT = 4096;

/** Issuer identification number (ISO/IEC 7812, BCD): 99 99 99 is reserved for private use. */
export const IIN = Uint8Array.of(0x99, 0x99, 0x99);

export function getData(cmd: CommandApdu, env: IsdEnv, ctx: AppContext): ResponseApdu {
  const tag = (cmd.p1 << 8) | cmd.p2;
  const serial = env.store.meta(META.SERIAL)!;
  const sd = acting(env, ctx.aid);
  // Data objects the SD received by STORE DATA come first (GP 7.4.1: SD provider and image numbers...).
  const stored = appStore(env.store, sd.aid, () => env.manager.freeMemory()).get(dataObjectKey(tag));
  if (stored) return ResponseApdu.of(SW.OK, encodeTlv(tag, stored));
  // Then what the card's profile answers where real cards differ from the spec (CPLC all FF, 6A88...).
  const b = env.behaviour;
  if (cmd.cla === CLA.ISO && b.getDataIsoCla !== undefined) refuse("GET DATA", b.getDataIsoCla, `the ${b.name} card takes GET DATA with CLA 80 only`);
  const fixed = b.getData.get(tag);
  if (fixed) return "sw" in fixed ? refuse("GET DATA", fixed.sw, `the ${b.name} card has no data object ${hexNumber(tag, 4)}`) : ResponseApdu.of(SW.OK, fixed.data);
  switch (tag) {
    case DATA_TAG.CPLC: {
      // The card's CPLC, with the (pre-)personalisation fields the ISD received by STORE DATA (cplc-data.ts).
      const isd = appStore(env.store, env.manager.isdAid, () => env.manager.freeMemory());
      return ResponseApdu.of(SW.OK, cplc(serial, { prePerso: isd.get(dataObjectKey(CPLC_TAG.PRE_PERSO)), perso: isd.get(dataObjectKey(CPLC_TAG.PERSO)) }));
    }
    case DATA_TAG.CARD_DATA:
      // A real card's own 73 (its profile) answers GET DATA 66 as it fills its FCI.
      if (b.fci.recognitionData instanceof Uint8Array) return ResponseApdu.of(SW.OK, encodeTlv(0x66, b.fci.recognitionData));
      return ResponseApdu.of(SW.OK, cardRecognitionData(env.scp, env.scpI, env.scp11I?.() ?? [], b.gpVersion));
    case DATA_TAG.CARD_CAPABILITIES:
      return ResponseApdu.of(SW.OK, cardCapabilities(env.scp, env.scpI, env.scp11I?.() ?? []));
    case DATA_TAG.KEY_INFORMATION:
      return ResponseApdu.of(SW.OK, keyInformation(sd.isIsd ? env.store.keySets() : [], env.domainKeys.keys(sd.aid), sd.isIsd ? (env.ecKeyInfo?.() ?? []) : []));
    case DATA_TAG.EXTENDED_CARD_RESOURCES: {
      const apps = env.manager.registry().applications.length;
      return ResponseApdu.of(SW.OK, extendedCardResources(apps, env.manager.freeMemory(), FREE_TRANSIENT));
    }
    case DATA_TAG.SEQUENCE_COUNTER:
      return ResponseApdu.of(SW.OK, sequenceCounter(env.scp, env.store.metaInt(counterKeys(sd.isIsd ? undefined : sd.aid).sequence)));
    case DATA_TAG.IIN:
      return ResponseApdu.of(SW.OK, encodeTlv(0x42, IIN));
    case DATA_TAG.CIN:
      return ResponseApdu.of(SW.OK, encodeTlv(0x45, serial));
    case CERTIFICATE_STORE: {
      const r = env.certificateStore?.(cmd.data) ?? { sw: SW.REFERENCED_DATA_NOT_FOUND, reason: "the card has no SCP11 certificates" };
      return r instanceof Uint8Array ? ResponseApdu.of(SW.OK, r) : refuse("GET DATA", r.sw, r.reason);
    }
    default:
      return refuse("GET DATA", SW.REFERENCED_DATA_NOT_FOUND, `no data object ${hexNumber(tag, 4)}`);
  }
}
