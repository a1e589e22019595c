import { test, expect } from "bun:test";
import { toHex } from "../bytes.ts";
import { loadBlocks, loadFileBytes, checkLoadFits, LoadTooLargeError, loadBlockCount } from "./load.ts";

function lfdb(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => i & 0xff);
}

test("a 211-byte LFDB is one LOAD of 214 bytes, like the gppro_Empty golden APDU", () => {
  const blocks = loadBlocks(loadFileBytes(lfdb(211)), 247);
  expect(blocks.length).toBe(1);
  expect(toHex(blocks[0]!.toBytes()).slice(0, 16)).toBe("80E88000D6C481D3");
  expect(blocks[0]!.data.length).toBe(214);
});

test("a 247-byte LFDB spills into a second block at 247 (kaoh_helloworld case)", () => {
  const file = loadFileBytes(lfdb(247));
  expect(toHex(file.subarray(0, 3))).toBe("C481F7");
  const blocks = loadBlocks(file, 247);
  expect(blocks.map((b) => [b.p1, b.p2, b.data.length])).toEqual([
    [0x00, 0, 247],
    [0x80, 1, 3],
  ]);
});

test("blocks are numbered 00.. and only the last has P1 80", () => {
  const blocks = loadBlocks(loadFileBytes(lfdb(1000)), 239);
  expect(blocks.map((b) => b.p2)).toEqual([0, 1, 2, 3, 4]);
  expect(blocks.map((b) => b.p1)).toEqual([0, 0, 0, 0, 0x80]);
  expect(blocks.every((b) => b.toBytes().length === 5 + b.data.length)).toBe(true);
});

test("DAP blocks come before C4", () => {
  const file = loadFileBytes(Uint8Array.of(1, 2), [
    { securityDomainAid: Uint8Array.of(0xa0, 0, 0, 1, 0x51), signature: Uint8Array.of(9, 9) },
  ]);
  expect(toHex(file)).toBe("E20B4F05A000000151C3020909C4020102");
});

test("256 blocks fit, 257 are refused with the reason", () => {
  expect(checkLoadFits(256 * 247, 247)).toBe(256);
  expect(() => checkLoadFits(256 * 247 + 1, 247)).toThrow(LoadTooLargeError);
  try {
    loadBlocks(new Uint8Array(70_000), 247);
    throw new Error("not refused");
  } catch (e) {
    expect(e).toBeInstanceOf(LoadTooLargeError);
    const err = e as LoadTooLargeError;
    expect(err.blocks).toBe(284);
    expect(err.message).toContain("more than the 256");
    expect(err.hint).toContain("--block-size");
  }
});

test("block size is 1..65535; over 255 the LOAD is an extended APDU", () => {
  expect(() => loadBlockCount(10, 0)).toThrow(RangeError);
  expect(() => loadBlockCount(10, 65_536)).toThrow(RangeError);
  const [first] = loadBlocks(loadFileBytes(lfdb(2000)), 1000);
  expect(toHex(first!.toBytes().subarray(0, 7))).toBe("80E800000003E8");
});
