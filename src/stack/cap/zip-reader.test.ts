import { describe, expect, test } from "bun:test";
import { deflateSync, zipSync } from "fflate";
import { crc32 } from "./crc32.ts";
import { listZip, readZipEntries, sizeText, ZIP_LIMITS, type ZipLimits } from "./zip-reader.ts";

const text = (s: string) => new TextEncoder().encode(s);
const all = () => true;
const small: ZipLimits = { archiveBytes: 64 * 1024, entries: 8, entryBytes: 4096, totalBytes: 6000 };

/** A ZIP whose one entry's central-directory fields are patched after writing (u32 at `field` of the entry). */
function patchCentral(zip: Uint8Array, field: number, value: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  for (let o = out.length - 22; o >= 0; o--) {
    if (view.getUint32(o, true) === 0x02014b50) {
      if (field === 8 || field === 10) view.setUint16(o + field, value, true);
      else view.setUint32(o + field, value, true);
      return out;
    }
  }
  throw new Error("no central directory entry");
}

describe("crc32", () => {
  test("the check value of '123456789' is CBF43926 (ISO 3309)", () => {
    expect(crc32(text("123456789")).toString(16)).toBe("cbf43926");
    expect(crc32(text("6789"), crc32(text("12345")))).toBe(0xcbf43926);
  });
});

describe("readZipEntries", () => {
  const zip = zipSync({ "a.txt": text("hello"), "b/c.bin": new Uint8Array(3000), "skip.class": new Uint8Array(100) }, { level: 9 });

  test("reads the wanted entries, stored or deflated, and lists the others", () => {
    expect(listZip(zip).map((e) => e.name)).toEqual(["a.txt", "b/c.bin", "skip.class"]);
    const got = readZipEntries(zip, (n) => !n.endsWith(".class"));
    expect([...got.keys()]).toEqual(["a.txt", "b/c.bin"]);
    expect(new TextDecoder().decode(got.get("a.txt"))).toBe("hello");
    expect(got.get("b/c.bin")).toEqual(new Uint8Array(3000));
    const stored = zipSync({ "s.bin": new Uint8Array([1, 2, 3]) }, { level: 0 });
    expect(readZipEntries(stored, all).get("s.bin")).toEqual(new Uint8Array([1, 2, 3]));
  });

  test("an entry that is not wanted is never inflated, even when it is damaged", () => {
    const bad = patchCentral(zipSync({ "x.class": new Uint8Array(100) }), 16, 0x1234);
    expect(readZipEntries(bad, () => false).size).toBe(0);
    expect(() => readZipEntries(bad, all)).toThrow("entry x.class fails its CRC-32 check (a damaged ZIP)");
  });

  test.each([
    ["the archive size", { ...small, archiveBytes: 100 }, "the file is 3"],
    ["the entry count", { ...small, entries: 2 }, "the ZIP archive lists 3 entries, over the limit of 2 for a CAP file"],
    ["the declared size of one entry", { ...small, entryBytes: 2999 }, "entry b/c.bin declares 3,000 bytes uncompressed, over the 2,999 bytes limit for one entry"],
    ["the declared total", { ...small, totalBytes: 3004 }, "the entries to read declare 3,105 bytes uncompressed, over the 3,004 bytes limit for one CAP file"],
  ])("%s is checked before anything is inflated", (_what, limits, message) => {
    expect(() => readZipEntries(zip, all, limits)).toThrow(message);
  });

  test("an entry that inflates past what it declares stops there, whatever the limits", () => {
    const lying = patchCentral(zipSync({ "m.cap": new Uint8Array(3000) }, { level: 9 }), 24, 10);
    expect(() => readZipEntries(lying, all, small)).toThrow("entry m.cap inflates past its declared size of 10 bytes: a damaged or forged ZIP (limits: 4,096 bytes an entry, 6,000 bytes in all)");
  });

  test("an entry that gives less than it declares, or fails its CRC, is damaged", () => {
    const short = patchCentral(zipSync({ "m.cap": new Uint8Array(30) }), 24, 31);
    expect(() => readZipEntries(short, all)).toThrow("entry m.cap gives 30 bytes but declares 31 (a damaged ZIP)");
  });

  test("encrypted entries, unknown methods, duplicate names and ZIP64 are refused", () => {
    const one = zipSync({ "m.cap": text("x") }, { level: 0 });
    expect(() => readZipEntries(patchCentral(one, 8, 1), all)).toThrow("entry m.cap is encrypted");
    expect(() => readZipEntries(patchCentral(one, 10, 12), all)).toThrow("entry m.cap uses compression method 12; only stored (0) and deflated (8) are read");
    const end = one.length - 22;
    const z64 = one.slice();
    z64[end + 10] = z64[end + 11] = z64[end + 8] = z64[end + 9] = 0xff;
    expect(() => listZip(z64)).toThrow("the ZIP archive uses ZIP64, which a CAP file never needs");
  });

  test("a deflate stream that is cut or garbled is damaged, in one line", () => {
    const data = deflateSync(new Uint8Array(5000).fill(7));
    const zip = zipSync({ "m.cap": new Uint8Array(5000).fill(7) }, { level: 9 });
    const at = zip.indexOf(data[0]!, 30 + 5);
    const garbled = zip.slice();
    for (let i = at; i < at + 4; i++) garbled[i] = 0xff;
    expect(() => readZipEntries(garbled, all)).toThrow(/^entry m\.cap (is damaged|inflates past|gives|fails)/);
  });

  test("the shipped limits leave room for the largest CAP components", () => {
    expect(ZIP_LIMITS.entryBytes).toBeGreaterThan(65_538);
    expect(sizeText(ZIP_LIMITS.entryBytes)).toBe("2 MiB");
    expect(sizeText(1000)).toBe("1,000 bytes");
  });
});
