import { describe, test, expect } from "bun:test";
import { CommandApdu, ResponseApdu } from "./apdu.ts";
import { fromHex, toHex } from "./bytes.ts";
import { FormatError } from "./errors.ts";

const head = { cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x00 };
const data = (n: number) => new Uint8Array(n).map((_, i) => i & 0xff);

describe("encoding of the seven forms", () => {
  test.each([
    ["case 1", {}, "00A40400", 1],
    ["case 2S Le 1", { ne: 1 }, "00A4040001", 2],
    ["case 2S Le 256 is 00", { ne: 256 }, "00A4040000", 2],
    ["case 3S", { data: fromHex("A0000001") }, "00A4040004A0000001", 3],
    ["case 4S", { data: fromHex("A0000001"), ne: 256 }, "00A4040004A000000100", 4],
    ["case 2E Le 257", { ne: 257 }, "00A4040000010" + "1", 2],
    ["case 2E Le 65536 is 0000", { ne: 65_536 }, "00A4040000" + "0000", 2],
    ["case 3E forced", { data: fromHex("AA"), extended: true }, "00A4040000" + "0001AA", 3],
    ["case 4E forced", { data: fromHex("AA"), ne: 2, extended: true }, "00A4040000" + "0001AA0002", 4],
  ] as const)("%s", (_name, fields, hex, kase) => {
    const c = new CommandApdu({ ...head, ...fields });
    expect(toHex(c.toBytes())).toBe(hex);
    expect(c.case).toBe(kase);
    // Parsing the encoding gives the same command back.
    const back = CommandApdu.parse(c.toBytes());
    expect(toHex(back.toBytes())).toBe(hex);
    expect(back.ne).toBe(c.ne);
    expect(back.extended).toBe(c.extended);
  });
});

describe("boundary lengths", () => {
  test("Lc 255 stays short, 256 goes extended", () => {
    const s = new CommandApdu({ ...head, data: data(255) });
    expect(s.extended).toBe(false);
    expect(s.toBytes().length).toBe(5 + 255);
    expect(s.toBytes()[4]).toBe(0xff);
    const e = new CommandApdu({ ...head, data: data(256) });
    expect(e.extended).toBe(true);
    expect(toHex(e.toBytes().subarray(4, 7))).toBe("000100");
    expect(e.toBytes().length).toBe(7 + 256);
  });
  test("Lc 255 with Le 256 is short case 4; Le 257 makes it extended", () => {
    expect(new CommandApdu({ ...head, data: data(255), ne: 256 }).toBytes().length).toBe(5 + 255 + 1);
    const e = new CommandApdu({ ...head, data: data(255), ne: 257 });
    expect(e.extended).toBe(true);
    expect(toHex(e.toBytes().subarray(-2))).toBe("0101");
  });
  test("Lc 65535 with Le 65536", () => {
    const c = new CommandApdu({ ...head, data: data(65_535), ne: 65_536 });
    const b = c.toBytes();
    expect(b.length).toBe(7 + 65_535 + 2);
    expect(toHex(b.subarray(4, 7))).toBe("00FFFF");
    expect(toHex(b.subarray(-2))).toBe("0000");
    const back = CommandApdu.parse(b);
    expect(back.data.length).toBe(65_535);
    expect(back.ne).toBe(65_536);
  });
  test("out of range values are bugs (RangeError)", () => {
    expect(() => new CommandApdu({ ...head, data: data(65_536) })).toThrow(RangeError);
    expect(() => new CommandApdu({ ...head, ne: 0 })).toThrow(RangeError);
    expect(() => new CommandApdu({ ...head, ne: 65_537 })).toThrow(RangeError);
    expect(() => new CommandApdu({ ...head, cla: 256 })).toThrow("CLA must be a byte, got 256");
  });
});

describe("parsing rejects malformed commands", () => {
  test.each([
    ["too short", "00A404", "too short: 3 bytes"],
    ["Lc longer than the data", "00A4040005A000", "does not match Lc 5"],
    ["extended Lc 0", "00A40400000000AA", "Extended Lc of 0000 is invalid"],
    ["extended truncated", "00A404000001", "not a valid extended form"],
    ["extended Lc mismatch", "00A4040000000301", "does not match extended Lc 3"],
  ])("%s", (_name, hex, message) => {
    expect(() => CommandApdu.parse(fromHex(hex))).toThrow(message);
    expect(() => CommandApdu.parse(fromHex(hex))).toThrow(FormatError);
  });
});

describe("response", () => {
  test("data and SW", () => {
    const r = ResponseApdu.parse(fromHex("0102 9000"));
    expect(toHex(r.data)).toBe("0102");
    expect(r.sw).toBe(0x9000);
    expect(r.ok).toBe(true);
    expect(r.sw1).toBe(0x90);
    expect(toHex(r.toBytes())).toBe("01029000");
    expect(ResponseApdu.parse(fromHex("6982")).toString()).toBe("6982 (Security status not satisfied)");
  });
  test("fewer than two bytes is rejected", () => {
    expect(() => ResponseApdu.parse(fromHex("90"))).toThrow("Response APDU too short: 1 bytes");
  });
  test("with() changes one field and keeps the rest", () => {
    const c = new CommandApdu({ ...head, data: fromHex("01"), ne: 256 });
    expect(toHex(c.with({ cla: 0x84 }).toBytes())).toBe("84A404000101" + "00");
  });
});
