import { describe, test, expect } from "bun:test";
import { unzipSync } from "fflate";
import { writeExtendedCap, layoutExtended, type ExtendedCapSpec } from "./extended.ts";
import { parseLoadFile } from "../load-file.ts";
import { parseLfdb } from "../lfdb.ts";
import { parseMethodBlocks } from "../method-blocks.ts";
import { concat, fromHex, toHex, uintBytes } from "../../bytes.ts";
import { FormatError } from "../../errors.ts";
import { LOAD_ORDER } from "../components.ts";

export const TWO_PACKAGES: ExtendedCapSpec = {
  capAid: fromHex("A0000006472F00CA"),
  capVersion: { major: 1, minor: 2 },
  packages: [
    { packageAid: fromHex("A0000006472F00C1"), packageName: "org.example.one", applets: [{ aid: fromHex("A0000006472F00C101"), className: "One" }] },
    { packageAid: fromHex("A0000006472F00C2"), packageName: "org.example.two", packageVersion: { major: 2, minor: 1 }, applets: [{ aid: fromHex("A0000006472F00C201"), className: "Two" }] },
  ],
};

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof FormatError) return error.message;
    throw error;
  }
  throw new Error("no error");
}

describe("extended CAP files (JCVM 3.1 chapter 6)", () => {
  test("the Header gives the CAP AID and version, and every package with its AID, version and name", () => {
    const cap = parseLoadFile(writeExtendedCap(TWO_PACKAGES), "two.cap");
    expect(cap.extended).toBe(true);
    expect(cap.formatVersion).toBe("2.3");
    expect(toHex(cap.packageAid)).toBe("A0000006472F00CA");
    expect(cap.packageVersion).toEqual({ major: 1, minor: 2 });
    expect(cap.packageName).toBeUndefined();
    expect(cap.packages.map((p) => [toHex(p.aid), `${p.version.major}.${p.version.minor}`, p.name])).toEqual([
      ["A0000006472F00C1", "1.0", "org.example.one"],
      ["A0000006472F00C2", "2.1", "org.example.two"],
    ]);
    expect(cap.applets.map((a) => [toHex(a.aid), a.className, a.installMethodBlock])).toEqual([
      ["A0000006472F00C101", "One", 0],
      ["A0000006472F00C201", "Two", 1],
    ]);
    expect(cap.methodBlocks).toBe(2);
  });

  test("Method, RefLocation and Descriptor are .capx files with u4 sizes; the others .cap with u2", () => {
    const names = Object.keys(unzipSync(writeExtendedCap(TWO_PACKAGES))).filter((n) => n.includes("/javacard/"));
    expect(names.filter((n) => n.endsWith(".capx")).map((n) => n.split("/").pop()).sort()).toEqual(["Descriptor.capx", "Method.capx", "RefLocation.capx"]);
    const c = layoutExtended(TWO_PACKAGES);
    const method = c.get("Method")!;
    expect(method.length).toBe(5 + Number.parseInt(toHex(method.subarray(1, 5)), 16));
  });

  test("the LFDB is the components in load order, Descriptor left out, and a card's check accepts it", () => {
    const cap = parseLoadFile(writeExtendedCap(TWO_PACKAGES));
    const expected = concat(...LOAD_ORDER.flatMap((n) => cap.components.get(n) ?? []));
    expect(toHex(cap.lfdb)).toBe(toHex(expected));
    const info = parseLfdb(cap.lfdb);
    expect(info.extended).toBe(true);
    expect(info.components.has("Descriptor")).toBe(false);
    expect(toHex(info.packageAid)).toBe("A0000006472F00CA");
    expect(info.packages.length).toBe(2);
  });

  test("a package over 64 KB spreads its methods over blocks of at most 65,535 bytes", () => {
    const spec = { ...TWO_PACKAGES, packages: [{ ...TWO_PACKAGES.packages[0]!, padding: 150_000 }, TWO_PACKAGES.packages[1]!] };
    const cap = parseLoadFile(writeExtendedCap(spec));
    expect(cap.lfdb.length).toBeGreaterThan(150_000);
    const blocks = parseMethodBlocks(cap.components.get("Method")!);
    expect(blocks.length).toBe(cap.methodBlocks);
    expect(blocks.length).toBe(5); // package 1, three padding blocks, package 2
    expect(blocks.every((b) => b.length <= 0xffff)).toBe(true);
    expect(cap.applets.map((a) => a.installMethodBlock)).toEqual([0, 4]);
  });

  test("one package only is an extended file too", () => {
    const cap = parseLoadFile(writeExtendedCap({ ...TWO_PACKAGES, packages: [TWO_PACKAGES.packages[0]!] }));
    expect(cap.packages.length).toBe(1);
    expect(cap.extended).toBe(true);
  });
});

describe("a broken extended file is refused in one line", () => {
  const lfdb = () => parseLoadFile(writeExtendedCap(TWO_PACKAGES)).lfdb;
  const at = (name: string, data: Uint8Array) => {
    const info = parseLfdb(data);
    const c = info.components.get(name)!;
    return c.byteOffset - info.components.get("Header")!.byteOffset;
  };

  test("ACC_EXTENDED in a CAP 2.2 file", () => {
    const data = lfdb().slice();
    data[7] = 2; // CAP_Format_minor_version
    expect(reason(() => parseLfdb(data))).toBe("Invalid load file: the Header sets ACC_EXTENDED in a CAP 2.2 file: the extended format exists from CAP 2.3");
  });

  test("no package in the Header", () => {
    const c = layoutExtended(TWO_PACKAGES);
    const h = c.get("Header")!;
    // Header: tag, size, magic 4, versions 2, flags, CAP version 2, AID length + 8, then package_count.
    const bad = concat(1, 0, 19, h.subarray(3, 3 + 4 + 2 + 1 + 2 + 1 + 8), 0);
    expect(reason(() => parseLfdb(concat(bad, lfdb().subarray(h.length))))).toContain("the extended Header lists no package: package_count must be above 0");
  });

  test("a block offset that does not start after the offsets", () => {
    const data = lfdb().slice();
    const m = at("Method", data);
    data.set(uintBytes(7, 4), m + 6); // first block offset
    expect(reason(() => parseLfdb(data))).toBe("Invalid load file: the Method component's first block offset is 7: expected 9 (the first byte after the offsets)");
  });

  test("a Directory whose block count disagrees with the Method component", () => {
    const data = lfdb().slice();
    const m = at("Method", data);
    data[m + 5] = 3; // method_component_block_count: the offsets then overlap the blocks
    expect(reason(() => parseLfdb(data))).toMatch(/^Invalid load file: (the Method component's first block offset|method block)/);
  });

  test("a truncated Method component", () => {
    const data = lfdb();
    const m = at("Method", data);
    expect(reason(() => parseLfdb(data.subarray(0, m + 40)))).toMatch(/^Invalid load file: the Method component declares \d+ bytes but only 35 follow/);
  });
});

describe("the extended reader is bounded: any damage is a FormatError", () => {
  const spec = { ...TWO_PACKAGES, packages: [{ ...TWO_PACKAGES.packages[0]!, padding: 70_000 }, TWO_PACKAGES.packages[1]!] };
  const lfdb = parseLoadFile(writeExtendedCap(spec)).lfdb;

  test("every cut of the LFDB (each length up to the Method component's blocks, then every 997th) is refused", () => {
    const lengths = [...Array.from({ length: 400 }, (_, i) => i), ...Array.from({ length: Math.floor(lfdb.length / 997) }, (_, i) => 400 + i * 997)];
    for (const n of lengths) {
      let error: unknown;
      try {
        parseLfdb(lfdb.subarray(0, n));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FormatError);
    }
  });

  test("2,000 single-byte changes in the first 600 bytes either parse or give a FormatError, nothing else", () => {
    let seed = 21;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const data = lfdb.slice();
      data[next() % 600] = next() % 256;
      try {
        parseLfdb(data);
      } catch (e) {
        expect(e).toBeInstanceOf(FormatError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});
