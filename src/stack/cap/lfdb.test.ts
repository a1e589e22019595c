import { describe, test, expect } from "bun:test";
import { parseLfdb } from "./lfdb.ts";
import { concat, fromHex, toHex, u16 } from "../bytes.ts";
import { FormatError } from "../errors.ts";

/** A component: tag, u2 size, info. */
function comp(tag: number, info: Uint8Array): Uint8Array {
  return concat(tag, u16(info.length), info);
}

/** A small synthetic CAP 2.1 LFDB (not a real package: enough structure for the checks). */
function sample(opts: { appletAid?: string; magic?: string; version?: [number, number]; flags?: number } = {}) {
  const [minor, major] = opts.version ?? [1, 2];
  const header = comp(1, concat(fromHex(opts.magic ?? "DECAFFED"), minor, major, opts.flags ?? 0x04, 0, 1, 5, fromHex("A000000001")));
  const appletAid = fromHex(opts.appletAid ?? "A00000000101");
  const applet = comp(3, concat(1, appletAid.length, appletAid, u16(0x0001)));
  const imports = comp(4, concat(1, 0, 1, 7, fromHex("A0000000620101")));
  const klass = comp(6, fromHex("00800300FF0007010000"));
  const method = comp(7, fromHex("00017A"));
  const statics = comp(8, fromHex("000000000000000000"));
  const cp = comp(5, fromHex("0000"));
  const refs = comp(9, fromHex("00000000"));
  const sizes = new Map<number, number>([[1, header.length], [3, applet.length], [4, imports.length], [5, cp.length], [6, klass.length], [7, method.length], [8, statics.length], [9, refs.length]]);
  const dirInfo = (dirSize: number) => {
    const parts: Uint8Array[] = [];
    for (let tag = 1; tag <= 11; tag++) parts.push(u16(tag === 2 ? dirSize : Math.max(0, (sizes.get(tag) ?? 3) - 3)));
    return concat(...parts, new Uint8Array(6), 1, 1, 0);
  };
  const directory = comp(2, dirInfo(31));
  return { header, directory, imports, applet, klass, method, statics, cp, refs };
}

function lfdbOf(s: ReturnType<typeof sample>): Uint8Array {
  return concat(s.header, s.directory, s.imports, s.applet, s.klass, s.method, s.statics, s.cp, s.refs);
}

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return (error as Error).message;
  }
  throw new Error("expected a FormatError");
}

describe("parseLfdb", () => {
  test("reads the facts of a well-formed LFDB", () => {
    const info = parseLfdb(lfdbOf(sample()));
    expect(toHex(info.packageAid)).toBe("A000000001");
    expect(info.capVersion).toEqual({ major: 2, minor: 1 });
    expect(info.packageVersion).toEqual({ major: 1, minor: 0 });
    expect(info.applets.map((a) => [toHex(a.aid), a.installMethodOffset])).toEqual([["A00000000101", 1]]);
    expect(info.imports.map((i) => [toHex(i.aid), i.major, i.minor])).toEqual([["A0000000620101", 1, 0]]);
    expect([...info.components.keys()]).toEqual(["Header", "Directory", "Import", "Applet", "Class", "Method", "StaticField", "ConstantPool", "RefLocation"]);
  });

  test("every truncation is refused, never misread", () => {
    const full = lfdbOf(sample());
    for (let n = 0; n < full.length; n++) {
      expect(() => parseLfdb(full.subarray(0, n))).toThrow(FormatError);
    }
  });

  test.each([
    ["bad magic", () => lfdbOf(sample({ magic: "CAFEBABE" })), "bad magic in the Header component: found CAFEBABE, expected DECAFFED"],
    ["unsupported version", () => lfdbOf(sample({ version: [0, 3] })), "unsupported CAP format 3.0"],
    ["ACC_EXTENDED before CAP 2.3", () => lfdbOf(sample({ version: [1, 2], flags: 0x0c })), "the Header sets ACC_EXTENDED in a CAP 2.1 file"],
    ["applet AID of 17 bytes", () => lfdbOf(sample({ appletAid: "A0".repeat(17) })), "applet 1 AID is 17 bytes long"],
    ["applet AID of 4 bytes", () => lfdbOf(sample({ appletAid: "A0000000" })), "applet 1 AID is 4 bytes long"],
    ["not starting with a Header", () => { const s = sample(); return concat(s.directory, s.header); }, "does not start with a Header component"],
    ["out of order", () => { const s = sample(); return concat(s.header, s.directory, s.applet, s.imports, s.klass, s.method, s.statics, s.cp, s.refs); }, "the Import component is out of order"],
    ["duplicate", () => { const s = sample(); return concat(lfdbOf(s), s.refs); }, "the RefLocation component appears twice"],
    ["missing Method", () => { const s = sample(); return concat(s.header, s.directory, s.imports, s.applet, s.klass, s.statics, s.cp, s.refs); }, "the Method component is missing"],
    ["unknown tag", () => concat(lfdbOf(sample()), 0x2a, 0, 0), "unknown component tag 42"],
    ["size over the data", () => lfdbOf(sample()).subarray(0, -1), "the RefLocation component declares 4 bytes but only 3 follow"],
    ["directory mismatch", () => { const s = sample(); s.method = comp(7, fromHex("0001007A")); return lfdbOf(s); }, "the Directory says the Method component has 3 bytes but it has 4"],
    ["applet flag without Applet", () => { const s = sample(); return concat(s.header, s.directory, s.imports, s.klass, s.method, s.statics, s.cp, s.refs); }, "the Header announces applets but the Applet component is missing"],
  ])("%s", (_name, make, expected) => {
    const message = reason(() => parseLfdb(make()));
    expect(message.startsWith("Invalid load file: ")).toBe(true);
    expect(message).toContain(expected);
  });
});
