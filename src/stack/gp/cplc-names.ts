/**
 * Names for CPLC codes (GP 2.3.1 H.6): the IC fabricator, the operating
 * system, and the card platform a CPLC prefix stands for. Only codes public
 * material ties to a name are listed (shared docs REAL-CARDS.md, which cites
 * JCAlgTest result files and fidesmo/fdsm's FidesmoCard.java, and the
 * fabricator codes CPLC decoders commonly publish: 4180 Atmel, 4250
 * Samsung); anything else is shown as its hex, never guessed.
 */
import type { CplcField } from "./cplc.ts";

/** ICFabricator (2 bytes). */
export const IC_FABRICATORS: Readonly<Record<string, string>> = {
  "4090": "Infineon Technologies",
  "4180": "Atmel",
  "4250": "Samsung",
  "4790": "NXP Semiconductors (Philips)",
};

/** OperatingSystemID (2 bytes), as JCAlgTest's files and card traces pair them with products. */
export const OPERATING_SYSTEMS: Readonly<Record<string, string>> = {
  "4791": "NXP JCOP",
  "4700": "NXP JCOP (JCOP3 EMV, JCOP4)",
  "8211": "NXP JCOP3 SECID",
  "1671": "Giesecke+Devrient Sm@rtCafé Expert",
  "8231": "Oberthur (IDEMIA) ID-One Cosmo",
  "86AA": "Feitian JavaCOS",
};

/**
 * Platforms by the first 10 CPLC bytes (fabricator, IC type, OS ID, OS
 * release date, OS release level), the table fidesmo/fdsm keeps.
 */
export const PLATFORMS: Readonly<Record<string, string>> = {
  "47905168479112103800": "NXP JCOP 2.4.2 R1",
  "47905075479120813B00": "NXP JCOP 2.4.2 R2",
  "47906B644700E4D80300": "NXP JCOP3 EMV",
  "47900503821163510302": "NXP JCOP3 SECID",
  "4790D321470000000000": "NXP JCOP4",
};

/** What the CPLC's codes say, in words. */
export interface CplcNames {
  fabricator?: string;
  operatingSystem?: string;
  platform?: string;
  /** Every field FF (sysmoUSIM) or 00: the card keeps a placeholder, not its production data. */
  placeholder: boolean;
  /** Date fields that are not YDDD (day 001-366), by name: a card that fills them with text or FF. */
  badDates: string[];
}

/** Name the codes of a decoded CPLC. */
export function nameCplc(fields: readonly CplcField[]): CplcNames {
  const get = (name: string) => fields.find((f) => f.name === name)?.hex ?? "";
  const all = fields.map((f) => f.hex).join("");
  const out: CplcNames = { placeholder: /^(F+|0+)$/i.test(all), badDates: [] };
  const fabricator = IC_FABRICATORS[get("ICFabricator")];
  if (fabricator) out.fabricator = fabricator;
  const os = OPERATING_SYSTEMS[get("OperatingSystemID")];
  if (os) out.operatingSystem = os;
  const prefix = ["ICFabricator", "ICType", "OperatingSystemID", "OperatingSystemReleaseDate", "OperatingSystemReleaseLevel"].map(get).join("");
  const platform = PLATFORMS[prefix];
  if (platform) out.platform = platform;
  for (const f of fields) {
    if (!f.name.endsWith("Date") || out.placeholder || f.hex === "0000") continue; // 0000: never set
    const day = Number.parseInt(f.hex.slice(1), 10);
    if (!/^[0-9]{4}$/.test(f.hex) || day < 1 || day > 366) out.badDates.push(f.name);
  }
  return out;
}
