import { describe, expect, test } from "bun:test";
import { inspect } from "node:util";
import { fromHex } from "../bytes.ts";
import { UsageError } from "../errors.ts";
import { defaultKeys, diversify, parseKdf, parseKeyOption, parseKeys, StaticKeys } from "./keys.ts";

const KDD = fromHex("00010203040506070809");

describe("key options", () => {
  test("default key KCVs: 3DES 8BAF47, AES 504A77", () => {
    expect(parseKeyOption("default").kcvs).toEqual({ enc: "8BAF47", mac: "8BAF47", dek: "8BAF47" });
    expect(defaultKeys("AES").kcvs.enc).toBe("504A77");
    expect(parseKeyOption("404142434445464748494a4b4c4d4e4f").type).toBe("3DES");
  });
  test("hex of 24 and 32 bytes gives AES keys", () => {
    expect(parseKeyOption("00".repeat(32)).type).toBe("AES");
    expect(parseKeyOption("00".repeat(24)).type).toBe("AES");
  });
  test("separate ENC/MAC/DEK", () => {
    const k = parseKeys({ enc: "11".repeat(16), mac: "22".repeat(16), dek: "default", version: 0x20 });
    expect(k.version).toBe(0x20);
    expect(k.kcvs.dek).toBe("8BAF47");
    expect(k.kcvs.enc).not.toBe(k.kcvs.mac);
  });
  test("bad input is a UsageError with a reason", () => {
    expect(() => parseKeyOption("abc")).toThrow(UsageError);
    expect(() => parseKeyOption("0011")).toThrow("2 bytes");
    expect(() => parseKeys({ enc: "default" })).toThrow("all of the ENC, MAC and DEK");
    expect(() => parseKdf("foo")).toThrow("none, emv, visa2, kdf3");
    expect(parseKdf("EMV")).toBe("emv");
  });
  test("raw keys never appear in JSON, toString or inspection", () => {
    const k = parseKeyOption("default");
    for (const text of [JSON.stringify(k), String(k), inspect(k), `${k}`]) {
      expect(text).not.toContain("404142");
      expect(text).toContain("8BAF47");
    }
    expect(Object.keys(k)).not.toContain("enc");
  });
  test("getters return copies", () => {
    const k = defaultKeys();
    k.enc.fill(0);
    expect(k.kcvs.enc).toBe("8BAF47");
    expect(new StaticKeys({ enc: k.enc, mac: k.mac, dek: k.dek }).type).toBe("3DES");
  });
});

describe("diversification (REFERENCE.md section 4, KDD 00010203040506070809)", () => {
  test("EMV", () => {
    expect(diversify(defaultKeys("3DES"), "emv", KDD).kcvs).toEqual({ enc: "C33013", mac: "6F4CA6", dek: "BB8179" });
  });
  test("VISA2", () => {
    expect(diversify(defaultKeys("3DES"), "visa2", KDD).kcvs).toEqual({ enc: "2BE598", mac: "58DA38", dek: "3C328E" });
  });
  test("KDF3, AES-128", () => {
    expect(diversify(defaultKeys("AES"), "kdf3", KDD).kcvs).toEqual({ enc: "E79C05", mac: "D1BD77", dek: "3FDE8C" });
  });
  test("KDF3 keeps the key length for AES-256", () => {
    const k = diversify(parseKeyOption("40".repeat(32)), "kdf3", KDD);
    expect(k.enc.length).toBe(32);
  });
  test("none is identity; wrong key type and short KDD are refused", () => {
    expect(diversify(defaultKeys(), "none", KDD).kcvs.enc).toBe("8BAF47");
    expect(() => diversify(defaultKeys("3DES"), "kdf3", KDD)).toThrow("AES");
    expect(() => diversify(defaultKeys("AES"), "emv", KDD)).toThrow("3DES");
    expect(() => diversify(defaultKeys(), "emv", KDD.subarray(0, 8))).toThrow("need 10");
  });
});
