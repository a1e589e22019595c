import { describe, test, expect } from "bun:test";
import { toHex, fromHex, concat, equal, readUint, uintBytes, xor, isHex, equalConstantTime } from "./bytes.ts";
import { FormatError } from "./errors.ts";

describe("hex", () => {
  test.each([
    ["00a4 0400", "00A40400"],
    ["de:ad:be:ef", "DEADBEEF"],
    ["  0102\n03\t04 ", "01020304"],
    ["", ""],
  ])("fromHex(%p) -> %s", (input, hex) => {
    expect(toHex(fromHex(input))).toBe(hex);
  });

  test("odd digit count is rejected with the count", () => {
    expect(() => fromHex("ABC")).toThrow("Cannot decode hex: odd number of hex digits (3)");
  });

  test("invalid character is named with its position", () => {
    expect(() => fromHex("0G")).toThrow("'G' at digit 2 is not a hex digit");
    expect(() => fromHex("ABC")).toThrow("odd number of hex digits (3)");
    expect(() => fromHex("zz")).toThrow(FormatError);
  });

  test("isHex", () => {
    expect(isHex("00 A4")).toBe(true);
    expect(isHex("")).toBe(false);
    expect(isHex("0")).toBe(false);
    expect(isHex("0x00")).toBe(false);
  });
});

describe("integers and arrays", () => {
  test("big-endian round trip", () => {
    expect(toHex(uintBytes(0x0102, 2))).toBe("0102");
    expect(toHex(uintBytes(0xabcdef, 3))).toBe("ABCDEF");
    expect(readUint(fromHex("00ABCDEF"), 1, 3)).toBe(0xabcdef);
    expect(() => uintBytes(256, 1)).toThrow(RangeError);
  });
  test("readUint past the end is a format error", () => {
    expect(() => readUint(fromHex("01"), 0, 2)).toThrow(FormatError);
  });
  test("concat, equal, xor", () => {
    expect(toHex(concat(fromHex("01"), 2, fromHex("0304")))).toBe("01020304");
    expect(equal(fromHex("0102"), fromHex("0102"))).toBe(true);
    expect(equal(fromHex("0102"), fromHex("0103"))).toBe(false);
    expect(equalConstantTime(fromHex("0102"), fromHex("010203"))).toBe(false);
    expect(toHex(xor(fromHex("F0F0"), fromHex("0FF0")))).toBe("FF00");
  });
});
