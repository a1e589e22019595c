/**
 * Command builders for the GlobalPlatform card manager, named after the
 * commands of GP Card Specification 2.3.1 section 11. Each returns a
 * CommandApdu in CLA 80; a secure channel wrapper turns it into 84 + MAC.
 * INSTALL and LOAD live in install.ts and load.ts.
 */
import { CommandApdu } from "../apdu.ts";
import { encodeTlv } from "../tlv.ts";
import { CLA, INS, STATUS_P1, STATUS_P2, DELETE_P2, SET_STATUS_P1, TAG } from "./constants.ts";

/** SELECT by AID, first or only occurrence (ISO 7816-4 section 11.2.2; GP 11.9): `00 A4 04 00 Lc AID 00`. */
export function select(aid: Uint8Array): CommandApdu {
  return new CommandApdu({ cla: CLA.ISO, ins: INS.SELECT, p1: 0x04, p2: 0x00, data: aid, ne: 256 });
}

/** GET DATA for a one- or two-byte tag (GP 11.3): `80 CA tag1 tag2 00`. */
export function getData(tag: number, cla: number = CLA.GP): CommandApdu {
  return new CommandApdu({ cla, ins: INS.GET_DATA, p1: (tag >> 8) & 0xff, p2: tag & 0xff, ne: 256 });
}

/** Which part of the registry GET STATUS reads (GP 11.4.2.1). */
export type StatusSubset = "isd" | "apps" | "load-files" | "load-files-and-modules";

/** P1 of each registry subset. */
const STATUS_SUBSET_P1: Readonly<Record<StatusSubset, number>> = {
  isd: STATUS_P1.ISD,
  apps: STATUS_P1.APPS,
  "load-files": STATUS_P1.LOAD_FILES,
  "load-files-and-modules": STATUS_P1.LOAD_FILES_AND_MODULES,
};

/** GET STATUS P2 of the legacy (pre-2.2, untagged) response format. */
const STATUS_P2_LEGACY = { FIRST: 0x00, NEXT: 0x01 } as const;

/**
 * GET STATUS (GP 11.4): `80 F2 P1 P2 02 4F 00 00`. `4F 00` matches every AID;
 * `4F len AID` searches for AIDs that begin with `aid` (11.4.2.3).
 * P2 02 asks for the first page in the tagged format, 03 for the next page
 * after 6310; `legacy` selects the untagged format of GP 2.1.1 (P2 00/01).
 */
export function getStatus(subset: StatusSubset, next = false, legacy = false, aid?: Uint8Array): CommandApdu {
  const p2 = legacy
    ? next
      ? STATUS_P2_LEGACY.NEXT
      : STATUS_P2_LEGACY.FIRST
    : next
      ? STATUS_P2.TAGGED_NEXT
      : STATUS_P2.TAGGED_FIRST;
  return new CommandApdu({
    cla: CLA.GP,
    ins: INS.GET_STATUS,
    p1: STATUS_SUBSET_P1[subset],
    p2,
    data: aid ? Uint8Array.of(TAG.AID, aid.length, ...aid) : Uint8Array.of(TAG.AID, 0x00),
    ne: 256,
  });
}

/** DELETE an object by AID (GP 11.2): `80 E4 00 P2 Lc 4F len AID 00`; `related` also deletes what depends on it. */
export function deleteAid(aid: Uint8Array, related = false): CommandApdu {
  return new CommandApdu({
    cla: CLA.GP,
    ins: INS.DELETE,
    p1: 0x00,
    p2: related ? DELETE_P2.OBJECT_AND_RELATED : DELETE_P2.OBJECT,
    data: encodeTlv(TAG.AID, aid),
    ne: 256,
  });
}

/** What SET STATUS targets (GP 11.10.2.1). */
export type StatusTarget = "isd" | "app" | "domain-and-apps";

const SET_STATUS_TARGET_P1: Readonly<Record<StatusTarget, number>> = {
  isd: SET_STATUS_P1.ISD,
  app: SET_STATUS_P1.APP,
  "domain-and-apps": SET_STATUS_P1.DOMAIN_AND_APPS,
};

/**
 * SET STATUS (GP 11.10): `80 F0 P1 P2 Lc AID`, P2 the new life cycle state.
 * For an application, b8 of P2 set locks it; P2 with b8 clear unlocks it
 * (the card restores the state it had before the lock, GP 11.10.2.2).
 */
export function setStatus(target: StatusTarget, state: number, aid: Uint8Array = new Uint8Array(0)): CommandApdu {
  return new CommandApdu({
    cla: CLA.GP,
    ins: INS.SET_STATUS,
    p1: SET_STATUS_TARGET_P1[target],
    p2: state,
    data: aid,
  });
}

/**
 * PUT KEY (GP 11.8): `80 D8 P1 P2 Lc data 00`. P1 = the key version to
 * replace (00 adds a new key set), P2 = the first key identifier, with b8 set
 * when the data carries several keys. The data itself comes from put-key.ts.
 */
export function putKey(replaceVersion: number, keyId: number, multiple: boolean, data: Uint8Array): CommandApdu {
  return new CommandApdu({
    cla: CLA.GP,
    ins: INS.PUT_KEY,
    p1: replaceVersion,
    p2: (keyId & 0x7f) | (multiple ? 0x80 : 0x00),
    data,
    ne: 256,
  });
}
