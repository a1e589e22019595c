/**
 * The ISD's data objects: FCI (GP 2.3.1 section 11.9.3.1), card recognition
 * data (Annex H.2, GET DATA 66), card capabilities (H.4, 67), key
 * information (11.3.3.1, E0), CPLC (H.6, 9F7F), extended card resources
 * (ETSI TS 102 226 / GP Amendment C usage, FF21), sequence counter (C1).
 */
import { concat, uintBytes } from "../../stack/bytes.ts";
import { encodeTlv } from "../../stack/tlv.ts";
import { TAG } from "../../stack/gp/constants.ts";
import type { StoredKeySet } from "../store/store.ts";
import type { DomainKey } from "../store/domain-keys.ts";
import { parsePublicKeyData } from "../../stack/gp/key-commands.ts";

/** 1.2.840.114283 (GlobalPlatform) as OID content octets. */
const GP_OID = Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xfc, 0x6b);
/** 1.3.6.1.4.1.42.2.110.1.3: Java Card 3 chip details, as cards announce it (tag 66 in 73). */
const JAVA_CARD_OID = Uint8Array.of(0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x6e, 0x01, 0x03);

const oid = (...tail: number[]) => encodeTlv(0x06, concat(GP_OID, Uint8Array.of(...tail)));

const GP_2_3_1 = [2, 3, 1] as const;

/** SCP11's protocol number in recognition data and capabilities (amendment F 4.1: SCP '11'). */
const SCP11 = 0x11;

/**
 * Content of template 73: GP 2.3.1, card identification scheme, the SCP with
 * its i, then one 64 per SCP11 variant offered (`scp11I`: 11b 00, 11a 01,
 * 11c 03), so a terminal reading GET DATA 66 sees every protocol the ISD
 * answers, as it sees SCP03 (H.2: 64 is the OID {globalPlatform 4 scp i}).
 */
function recognitionTemplate(scp: 2 | 3, i: number, scp11I: readonly number[] = [], gpVersion: readonly number[] = GP_2_3_1): Uint8Array {
  return encodeTlv(
    0x73,
    oid(0x01), // card recognition data
    encodeTlv(0x60, oid(0x02, ...gpVersion)), // the GlobalPlatform version (2.3.1: 02 02 03 01)
    encodeTlv(0x63, oid(0x03)), // card identification scheme
    encodeTlv(0x64, oid(0x04, scp, i)), // secure channel protocol and its i parameter
    ...scp11I.map((i11) => encodeTlv(0x64, oid(0x04, SCP11, i11))),
    encodeTlv(0x66, encodeTlv(0x06, JAVA_CARD_OID)),
  );
}

/** GET DATA 66. */
export function cardRecognitionData(scp: 2 | 3, i: number, scp11I: readonly number[] = [], gpVersion: readonly number[] = GP_2_3_1): Uint8Array {
  return encodeTlv(0x66, recognitionTemplate(scp, i, scp11I, gpVersion));
}

/** GET DATA 67: one A0 per SCP offered, 80 the protocol and 81 its i values, one byte each (GP 2.3.1 H.4). */
export function cardCapabilities(scp: 2 | 3, i: number, scp11I: readonly number[] = []): Uint8Array {
  const offer = (p: number, is: readonly number[]) => encodeTlv(0xa0, encodeTlv(0x80, Uint8Array.of(p)), encodeTlv(0x81, Uint8Array.of(...is)));
  return encodeTlv(0x67, offer(scp, [i]), ...(scp11I.length > 0 ? [offer(SCP11, scp11I)] : []));
}

/** What a card puts in its FCI, and in which order (its profile, docs/profiles.md); the default is GP 2.3.1's. */
export interface FciShape {
  /** The 73 template: built (full), the GP OID alone, none, or given as bytes (a real card's own). */
  recognitionData: "full" | "oid-only" | "none" | Uint8Array;
  /** 9F6E, application production life cycle data. */
  productionData?: Uint8Array;
  maxBlockTag: boolean;
  order: "73-9F6E-9F65" | "9F65-9F6E-73";
  gpVersion: readonly number[];
}

const GP23_FCI: FciShape = { recognitionData: "full", maxBlockTag: true, order: "73-9F6E-9F65", gpVersion: GP_2_3_1 };

/** The ISD's FCI: AID, security domain management data (73, 9F6E), maximum command data length (9F65). */
export function isdFci(aid: Uint8Array, scp: 2 | 3, i: number, maxData: number, shape: FciShape = GP23_FCI): Uint8Array {
  const r = shape.recognitionData;
  const recognition = r instanceof Uint8Array ? [r] : r === "full" ? [recognitionTemplate(scp, i, [], shape.gpVersion)] : r === "oid-only" ? [encodeTlv(0x73, oid(0x01))] : [];
  const production = shape.productionData ? [encodeTlv(0x9f6e, shape.productionData)] : [];
  // 9F65 in as few bytes as it takes: 1 up to 255, 2 above (extended-length commands).
  const max = shape.maxBlockTag ? [encodeTlv(TAG.MAX_BLOCK_SIZE, maxData > 0xff ? uintBytes(maxData, 2) : Uint8Array.of(maxData))] : [];
  const parts = shape.order === "73-9F6E-9F65" ? [...recognition, ...production, ...max] : [...max, ...production, ...recognition];
  return encodeTlv(TAG.FCI, encodeTlv(0x84, aid), encodeTlv(TAG.FCI_PROPRIETARY, ...parts));
}

/** Key types of GP 2.3.1 table 11-16. */
const KEY_TYPE = { DES: 0x80, AES: 0x88, ECC_PUBLIC: 0xb0, ECC_PRIVATE: 0xb1, ECC_PARAMETERS: 0xf0 } as const;

/**
 * An SCP11 key in the key information template (GP 2.3.1 11.3.3.1: a key
 * type and a length per component, table 11-16 for the types). The SD's
 * ECKA key (KID 11, 13, 15) is a key pair whose secret half the SD holds:
 * B1 (ECC private key) with the scalar's length. The CA-KLOC key (KID 10)
 * is a public key only: B0 with the point's length. Both end with F0 (ECC
 * key parameters reference) of length 1, the reference itself being
 * PUT KEY's to carry. The lengths name the curve (32/65 P-256, 48/97 P-384,
 * 66/133 P-521). 88 is AES (table 11-16), the type of the session keys that
 * SCP11 derives, not of these keys.
 */
export interface EcKeyInfo {
  kid: number;
  kvn: number;
  /** "private": the SD holds the key pair (B1); "public": a public key only (B0). */
  held: "private" | "public";
  /** Length of the private scalar (B1) or of the uncompressed point (B0). */
  length: number;
}

/**
 * GET DATA E0: one C0 entry per key: ENC 1, MAC 2, DEK 3 of every secure
 * channel key set, then the SD's other keys (type and length; a public key
 * as its components, RSA modulus A1 and exponent A0, or EC point B0), then
 * the SCP11 keys.
 */
export function keyInformation(sets: readonly StoredKeySet[], others: readonly DomainKey[] = [], ecKeys: readonly EcKeyInfo[] = []): Uint8Array {
  const entries = sets.flatMap((s) =>
    [s.enc, s.mac, s.dek].map((key, index) =>
      encodeTlv(0xc0, Uint8Array.of(index + 1, s.version, s.scp === 2 ? KEY_TYPE.DES : KEY_TYPE.AES, key.length)),
    ),
  );
  for (const k of others) {
    const parsed = k.type === 0x80 || k.type === 0x88 ? undefined : parsePublicKeyData(k.value);
    const parts: number[] = !parsed
      ? [k.type, k.value.length]
      : parsed.key.kind === "rsa"
        ? parsed.key.modulus.length > 0xff
          ? // Extended format (11.3.3.1): FF type length(2) per component, then key usage and access (empty).
            [0xff, 0xa1, parsed.key.modulus.length >> 8, parsed.key.modulus.length & 0xff, 0xff, 0xa0, 0, parsed.key.exponent.length, 0, 0]
          : [0xa1, parsed.key.modulus.length, 0xa0, parsed.key.exponent.length]
        : [KEY_TYPE.ECC_PUBLIC, parsed.key.point.length];
    entries.push(encodeTlv(0xc0, Uint8Array.of(k.id, k.version, ...parts)));
  }
  const ec = ecKeys.map((k) =>
    encodeTlv(0xc0, Uint8Array.of(k.kid, k.kvn, k.held === "private" ? KEY_TYPE.ECC_PRIVATE : KEY_TYPE.ECC_PUBLIC, k.length, KEY_TYPE.ECC_PARAMETERS, 1)),
  );
  return encodeTlv(0xe0, ...entries, ...ec);
}

/** CPLC's pre-personalisation (9F67) and personalisation (9F66) fields as STORE DATA set them. */
export interface CplcPerso {
  /** 8 bytes: IC pre-personalizer, pre-personalisation equipment date, equipment ID (CPLC bytes 26-33). */
  prePerso?: Uint8Array | undefined;
  /** 8 bytes: IC personalizer, personalisation date, equipment ID (CPLC bytes 34-41). */
  perso?: Uint8Array | undefined;
}

/** GET DATA 9F7F: 42 bytes of CPLC; the IC serial number comes from the card's serial. */
export function cplc(serial: Uint8Array, perso: CplcPerso = {}): Uint8Array {
  const v = new Uint8Array(42);
  v.set([0x57, 0x43], 0); // IC fabricator: "WC", webcard's simulated card
  v.set([0x00, 0x01], 2); // IC type
  v.set([0x57, 0x43], 4); // operating system identifier
  v.set([0x60, 0x01], 6); // OS release date (YDDD: 2026, day 001)
  v.set([0x01, 0x00], 8); // OS release level
  v.set([0x60, 0x01], 10); // IC fabrication date
  v.set(serial.subarray(serial.length - 4), 12); // IC serial number
  if (perso.prePerso?.length === 8) v.set(perso.prePerso, 26);
  if (perso.perso?.length === 8) v.set(perso.perso, 34);
  return encodeTlv(0x9f7f, v);
}

/** GET DATA FF21: installed applications (81), free persistent memory (82), free transient memory (83). */
export function extendedCardResources(apps: number, freeNv: number, freeVolatile: number): Uint8Array {
  return encodeTlv(
    0xff21,
    encodeTlv(0x81, uintBytes(Math.min(apps, 0xffff), 2)),
    encodeTlv(0x82, uintBytes(Math.min(freeNv, 0xffffffff), 4)),
    encodeTlv(0x83, uintBytes(Math.min(freeVolatile, 0xffffffff), 4)),
  );
}

/** GET DATA C1: the sequence counter, 2 bytes for SCP02 and 3 for SCP03. */
export function sequenceCounter(scp: 2 | 3, counter: number): Uint8Array {
  return encodeTlv(0xc1, uintBytes(counter % (scp === 2 ? 0x10000 : 0x1000000), scp === 2 ? 2 : 3));
}
