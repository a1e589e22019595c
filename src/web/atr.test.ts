import { describe, expect, test } from "bun:test";
import { fromHex } from "../stack/bytes.ts";
import { decodeAtr } from "./atr.ts";

describe("decodeAtr", () => {
  test("TD1 and TD2 both read: 3B 80 80 01 01 indicates T=0 then T=1", () => {
    const a = decodeAtr(fromHex("3B80800101"));
    expect(a.convention).toBe("direct");
    expect(a.protocols).toEqual(["T=0", "T=1"]);
    expect(a.historical).toBe("");
    expect(a.checksum).toBe("ok");
    expect(a.problem).toBeUndefined();
  });

  test("historical bytes as text", () => {
    // 3B 8A 80 01 then 10 historical bytes "JCOP31V22 " style, TCK.
    const hist = new TextEncoder().encode("webcard-01");
    const body = Uint8Array.of(0x8a, 0x80, 0x01, ...hist);
    let tck = 0;
    for (const b of body) tck ^= b;
    const a = decodeAtr(Uint8Array.of(0x3b, ...body, tck));
    expect(a.protocols).toEqual(["T=0", "T=1"]);
    expect(a.historicalText).toBe("webcard-01");
    expect(a.checksum).toBe("ok");
  });

  test("T=0 only: no TCK, TA1 read", () => {
    const a = decodeAtr(fromHex("3B1396504E4F"));
    expect(a.protocols).toEqual(["T=0"]);
    expect(a.ta1).toBe("96");
    expect(a.historical).toBe("504E4F");
    expect(a.checksum).toBe("absent");
  });

  test("a wrong TCK and a truncated ATR are reported, not thrown", () => {
    expect(decodeAtr(fromHex("3B80800100")).checksum).toBe("wrong");
    expect(decodeAtr(fromHex("3B8F80")).problem).toContain("ends inside");
    expect(decodeAtr(fromHex("3B")).problem).toContain("shorter");
  });
});
