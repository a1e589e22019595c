import { describe, test, expect } from "bun:test";
import { parseTlvs, parseTlvTree, encodeTlv, findDeep, lengthBytes, tagBytes, isConstructed } from "./tlv.ts";
import { fromHex, toHex } from "./bytes.ts";
import { FormatError } from "./errors.ts";

describe("BER-TLV", () => {
  test("two-byte tags and short lengths", () => {
    const [t] = parseTlvs(fromHex("9F70 01 07"));
    expect(t!.tag).toBe(0x9f70);
    expect(toHex(t!.value)).toBe("07");
  });

  test.each([
    [0, "00"],
    [127, "7F"],
    [128, "8180"],
    [255, "81FF"],
    [256, "820100"],
    [65_535, "82FFFF"],
    [65_536, "83010000"],
  ])("length %d encodes as %s and parses back", (n, hex) => {
    expect(toHex(lengthBytes(n))).toBe(hex);
    const enc = encodeTlv(0xc4, new Uint8Array(n));
    const [t] = parseTlvs(enc);
    expect(t!.tag).toBe(0xc4);
    expect(t!.value.length).toBe(n);
  });

  test("nested constructed objects (E3 in BF0C style)", () => {
    const entry = encodeTlv(0xe3, encodeTlv(0x4f, fromHex("A000000151000000")), encodeTlv(0x9f70, fromHex("07")));
    const outer = encodeTlv(0xbf0c, entry);
    expect(toHex(tagBytes(0xbf0c))).toBe("BF0C");
    expect(isConstructed(0xbf0c)).toBe(true);
    expect(isConstructed(0x9f70)).toBe(false);
    const tree = parseTlvTree(outer);
    expect(tree[0]!.tag).toBe(0xbf0c);
    expect(tree[0]!.children![0]!.tag).toBe(0xe3);
    expect(toHex(findDeep(tree, 0x4f)!.value)).toBe("A000000151000000");
    expect(toHex(findDeep(tree, 0x9f70)!.value)).toBe("07");
  });

  test("three-byte tag", () => {
    const [t] = parseTlvs(fromHex("5F8101 01 AA"));
    expect(t!.tag).toBe(0x5f8101);
  });

  test.each([
    ["value shorter than declared", "4F 05 A000", "declares 5 bytes, 2 remain"],
    ["missing length", "4F", "no length byte"],
    ["81 without its byte", "C4 81", "needs 1 more bytes"],
    ["82 with one byte", "C4 82 01", "needs 2 more bytes"],
    ["tag cut inside", "9F", "inside multi-byte tag"],
    ["indefinite length", "E3 80 00 00", "indefinite length"],
  ])("truncation: %s", (_n, hex, msg) => {
    expect(() => parseTlvs(fromHex(hex))).toThrow(msg);
    expect(() => parseTlvs(fromHex(hex))).toThrow(FormatError);
  });

  test("padding 00 / FF between objects is skipped", () => {
    expect(parseTlvs(fromHex("00 4F01AA FF")).length).toBe(1);
  });
});
