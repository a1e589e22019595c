import { expect, test } from "bun:test";
import { fromHex } from "../bytes.ts";
import { parseCplc } from "./cplc.ts";
import { nameCplc } from "./cplc-names.ts";

const pad = (hex: string) => hex + "00".repeat(42 - hex.length / 2);

test("JCOP 2.4.2 R2 (apdu4j dump, JCAlgTest): NXP, JCOP, platform by the fdsm prefix", () => {
  const n = nameCplc(parseCplc(fromHex(pad("47905075479120813B00"))));
  expect(n).toEqual({ fabricator: "NXP Semiconductors (Philips)", operatingSystem: "NXP JCOP", platform: "NXP JCOP 2.4.2 R2", placeholder: false, badDates: [] });
});

test("Feitian A22CR: Infineon chip, Feitian OS; no platform claimed", () => {
  const n = nameCplc(parseCplc(fromHex(pad("4090789286AA"))));
  expect([n.fabricator, n.operatingSystem, n.platform]).toEqual(["Infineon Technologies", "Feitian JavaCOS", undefined]);
});

test("sysmoUSIM's all-FF CPLC is a placeholder; a JCOP4 date field of text is named", () => {
  expect(nameCplc(parseCplc(fromHex("9F7F2A" + "FF".repeat(42)))).placeholder).toBe(true);
  const jcop4 = nameCplc(parseCplc(fromHex("9F7F2A4790D32147000000000083456E6E6E50524300000000000000005758594E4E4E4E4E0000000000000000")));
  expect(jcop4.platform).toBe("NXP JCOP4");
  expect(jcop4.badDates).toContain("ICPrePersonalizationEquipmentDate");
});

test("an unknown fabricator is left unnamed, never guessed", () => {
  expect(nameCplc(parseCplc(fromHex(pad("5743000157436001")))).fabricator).toBeUndefined();
});
