/**
 * Card Production Life Cycle data (GET DATA 9F7F; GP 2.3.1 section H.6,
 * from the Visa GlobalPlatform card implementation requirements): 42 bytes
 * of fixed-width fields, dates as YDDD (last digit of the year, day of year).
 */
import { FormatError } from "../errors.ts";
import { toHex } from "../bytes.ts";
import { DATA_TAG } from "./constants.ts";

/** Field names and widths, in order (42 bytes). */
const CPLC_FIELDS = [
  ["ICFabricator", 2],
  ["ICType", 2],
  ["OperatingSystemID", 2],
  ["OperatingSystemReleaseDate", 2],
  ["OperatingSystemReleaseLevel", 2],
  ["ICFabricationDate", 2],
  ["ICSerialNumber", 4],
  ["ICBatchIdentifier", 2],
  ["ICModuleFabricator", 2],
  ["ICModulePackagingDate", 2],
  ["ICCManufacturer", 2],
  ["ICEmbeddingDate", 2],
  ["ICPrePersonalizer", 2],
  ["ICPrePersonalizationEquipmentDate", 2],
  ["ICPrePersonalizationEquipmentID", 4],
  ["ICPersonalizer", 2],
  ["ICPersonalizationDate", 2],
  ["ICPersonalizationEquipmentID", 4],
] as const;

const CPLC_LENGTH = 42;

/** One CPLC field: its name and its value as hex. */
export interface CplcField {
  name: string;
  hex: string;
}

/** Decode CPLC from a GET DATA 9F7F response, with or without the `9F7F 2A` header. */
export function parseCplc(bytes: Uint8Array): CplcField[] {
  let body = bytes;
  if (bytes[0] === DATA_TAG.CPLC >> 8 && bytes[1] === (DATA_TAG.CPLC & 0xff)) body = bytes.subarray(3, 3 + (bytes[2] ?? 0));
  if (body.length < CPLC_LENGTH) throw new FormatError(`CPLC has ${body.length} bytes, expected ${CPLC_LENGTH}`, bytes);
  const out: CplcField[] = [];
  let o = 0;
  for (const [name, width] of CPLC_FIELDS) {
    out.push({ name, hex: toHex(body.subarray(o, o + width)) });
    o += width;
  }
  return out;
}

/**
 * The CPLC fields a personaliser sets, as GlobalPlatformPro writes them
 * (`--set-pre-perso`, `--set-perso`): one STORE DATA to the ISD of
 * `9F67 08 <data>` (IC pre-personalizer 2, pre-personalisation equipment date 2,
 * equipment ID 4: CPLC bytes 26-33) or `9F66 08 <data>` (IC personalizer 2,
 * personalisation date 2, equipment ID 4: CPLC bytes 34-41).
 */
export const CPLC_PERSO_TAG = { PRE_PERSO: 0x9f67, PERSO: 0x9f66 } as const;

/** Bytes of pre-personalisation or personalisation data. */
export const CPLC_PERSO_LENGTH = 8;

/** A CPLC date, YDDD in BCD: the last digit of the year, then the day of the year (001-366), in UTC. */
export function cplcDate(date: Date): Uint8Array {
  const start = Date.UTC(date.getUTCFullYear(), 0, 1);
  const day = Math.floor((date.getTime() - start) / 86_400_000) + 1;
  const digits = `${date.getUTCFullYear() % 10}${String(day).padStart(3, "0")}`;
  return Uint8Array.of(Number.parseInt(digits.slice(0, 2), 16), Number.parseInt(digits.slice(2), 16));
}
