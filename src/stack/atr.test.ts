import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "./bytes.ts";
import { atrProtocol, parseAtr } from "./atr.ts";

const ACOSJ = "3B69000241434F534A76313031";

describe("parseAtr (ISO 7816-3 8.2), ATRs from REAL-CARDS.md", () => {
  test("JCOP 2.4.2 R2: T=1, TA1 13 (Fi 372, Di 4), historical bytes 'JCOP242R2', TCK right", () => {
    const a = parseAtr(fromHex("3BF91300008131FE454A434F503234325232A3"));
    expect(a.protocols).toEqual(["T=1"]);
    expect([a.fi, a.di, a.fmaxMHz, a.bitsPerSecond]).toEqual([372, 4, 5, 38400]);
    expect(a.historicalText).toBe("JCOP242R2");
    expect(a.tckOk).toBe(true);
  });

  test("sysmoUSIM-SJS1: T=0 with global bytes (T=15), TA1 96 (Fi 512, Di 32), compact-TLV historical bytes", () => {
    const a = parseAtr(fromHex("3B9F96801FC78031A073BE21136743200718000001A5"));
    expect(a.protocols).toEqual(["T=0"]);
    expect([a.fi, a.di]).toEqual([512, 32]);
    expect(a.category).toBe("80 (compact-TLV)");
    expect(a.tck).toBe(0xa5);
    expect(a.tckOk).toBe(true);
  });

  test("ACOSJ: T=0 without TD1, no TCK, historical bytes 'ACOSJv101'", () => {
    const a = parseAtr(fromHex(ACOSJ));
    expect(a.protocols).toEqual(["T=0"]);
    expect(a.historicalText).toBe("ACOSJv101");
    expect(a.tck).toBeUndefined();
    expect(atrProtocol(fromHex(ACOSJ))).toBe("T=0");
  });

  test("a bad ATR is one clear error, and atrProtocol falls back to T=1", () => {
    expect(() => parseAtr(fromHex("3BF913"))).toThrow("ATR ends inside its interface bytes (group 1)");
    expect(() => parseAtr(fromHex("12345678"))).toThrow("ATR starts with 12: TS is 3B or 3F");
    expect(() => parseAtr(fromHex("3B0A4142"))).toThrow("ATR announces 10 historical bytes but has 2");
    expect(() => parseAtr(new Uint8Array(34).fill(0x3b))).toThrow("ATR of 34 bytes");
    expect(atrProtocol(fromHex("00"))).toBe("T=1");
    expect(toHex(parseAtr(fromHex("3B00")).historical)).toBe("");
  });
});

test("atrProtocol: T=1 when offered (a contactless pseudo-ATR lists T=0 first), T=0 when alone", () => {
  expect(parseAtr(fromHex("3B8880010073C8401300900071")).protocols).toEqual(["T=0", "T=1"]);
  expect(atrProtocol(fromHex("3B8880010073C8401300900071"))).toBe("T=1");
  expect(atrProtocol(fromHex("3B9F96801FC78031A073BE21136743200718000001A5"))).toBe("T=0");
});
