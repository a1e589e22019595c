import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "../bytes.ts";
import { CommandApdu } from "../apdu.ts";
import { UsageError } from "../errors.ts";
import { parseKeys } from "./keys.ts";
import { checkPutKeyResponse, parsePutKey, putKeyCommand } from "./put-key.ts";
import { scp02SessionKeys } from "./scp02.ts";

const newKeys3des = parseKeys({ enc: "11".repeat(16), mac: "22".repeat(16), dek: "33".repeat(16), version: 0x21 });
const sessionDek = scp02SessionKeys(parseKeys({ key: "default" }), fromHex("0000")).dek;
const staticDekAes = fromHex("404142434445464748494A4B4C4D4E4F");

describe("PUT KEY", () => {
  test("3DES key set under an SCP02 session DEK: layout, round trip, KCVs", () => {
    const cmd = putKeyCommand({ keys: newKeys3des, dek: sessionDek, dekType: "3DES" });
    const b = cmd.toBytes();
    expect(toHex(b.subarray(0, 4))).toBe("80D80081");
    expect(b[4]).toBe(1 + 3 * 22); // version + 3 x (80 10 <16> 03 <3>)
    expect(b[5]).toBe(0x21);
    expect(toHex(b.subarray(6, 8))).toBe("8010");
    expect(toHex(cmd.data)).not.toContain("11".repeat(16));
    const parsed = parsePutKey(CommandApdu.parse(b), sessionDek, "3DES");
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.newVersion).toBe(0x21);
    expect(parsed.keys.map((k) => toHex(k.value))).toEqual(["11".repeat(16), "22".repeat(16), "33".repeat(16)].map((s) => s.toUpperCase()));
    const k = newKeys3des.kcvs;
    expect(toHex(parsed.response)).toBe(`21${k.enc}${k.mac}${k.dek}`);
    checkPutKeyResponse(parsed.response, newKeys3des);
    expect(() => checkPutKeyResponse(fromHex("21000000"), newKeys3des)).toThrow("does not confirm");
  });

  test.each([16, 24, 32])("AES-%i key set under an SCP03 static DEK", (n) => {
    const keys = parseKeys({ enc: "A1".repeat(n), mac: "B2".repeat(n), dek: "C3".repeat(n), version: 0x31, type: "AES" });
    const cmd = putKeyCommand({ keys, dek: staticDekAes, dekType: "AES", replaceVersion: 0x30 });
    expect(cmd.p1).toBe(0x30);
    expect(cmd.data[1]).toBe(0x88);
    expect(cmd.data[3]).toBe(n);
    const parsed = parsePutKey(cmd, staticDekAes, "AES");
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.replaceVersion).toBe(0x30);
    expect(parsed.keys.every((k) => k.type === "AES" && k.value.length === n)).toBe(true);
    expect(toHex(parsed.keys[2]!.value)).toBe("C3".repeat(n));
  });

  test("a wrong DEK is caught by the KCV", () => {
    const cmd = putKeyCommand({ keys: newKeys3des, dek: sessionDek, dekType: "3DES" });
    const parsed = parsePutKey(cmd, fromHex("00".repeat(16)), "3DES");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.sw).toBe(0x6a80);
      expect(parsed.reason).toContain("KCV");
    }
  });

  test("malformed data and AES over a 3DES DEK are refused", () => {
    expect(parsePutKey(new CommandApdu({ cla: 0x80, ins: 0xd8, p1: 0, p2: 0x81, data: fromHex("2180") }), sessionDek, "3DES").ok).toBe(false);
    expect(parsePutKey(new CommandApdu({ cla: 0x80, ins: 0xd8, p1: 0, p2: 0x81, data: fromHex("21990100") }), sessionDek, "3DES").ok).toBe(false);
    const aes = parseKeys({ key: "A1".repeat(16), version: 2, type: "AES" });
    expect(() => putKeyCommand({ keys: aes, dek: sessionDek, dekType: "3DES" })).toThrow(UsageError);
    expect(() => putKeyCommand({ keys: parseKeys({ key: "default" }), dek: sessionDek, dekType: "3DES" })).toThrow("1-127");
  });
});
