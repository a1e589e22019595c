import { describe, test, expect } from "bun:test";
import { unzipSync } from "fflate";
import { writeCap, type CapSpec } from "./write-cap.ts";
import { parseLoadFile } from "../load-file.ts";
import { parseLfdb } from "../lfdb.ts";
import { fromHex, toHex } from "../../bytes.ts";

const spec: CapSpec = {
  packageAid: fromHex("A0000006472F0001"),
  packageName: "org.example.hello",
  packageVersion: { major: 1, minor: 3 },
  applets: [
    { aid: fromHex("A0000006472F000101"), className: "Hello" },
    { aid: fromHex("A0000006472F00010203040506070809"), className: "Second" },
  ],
};

describe("writeCap", () => {
  test.each(["2.1", "2.2", "2.3"] as const)("CAP %s parses back to the same facts", (format) => {
    const cap = parseLoadFile(writeCap({ ...spec, format }), "built.cap");
    expect(cap.container).toBe("cap");
    expect(cap.formatVersion).toBe(format);
    expect(toHex(cap.packageAid)).toBe("A0000006472F0001");
    expect(cap.packageName).toBe("org.example.hello");
    expect(cap.packageVersion).toEqual({ major: 1, minor: 3 });
    expect(cap.applets.map((a) => [toHex(a.aid), a.className])).toEqual([
      ["A0000006472F000101", "Hello"],
      ["A0000006472F00010203040506070809", "Second"],
    ]);
    expect(cap.imports.map((i) => [toHex(i.aid), i.major, i.minor])).toEqual([
      ["A0000000620101", 1, 2],
      ["A0000000620001", 1, 0],
    ]);
    expect([...cap.components.keys()].sort()).toEqual(
      ["Applet", "Class", "ConstantPool", "Descriptor", "Directory", "Header", "Import", "Method", "RefLocation", "StaticField"],
    );
  });

  test("the LFDB is what a card accepts, and the Header names the package from CAP 2.2", () => {
    for (const format of ["2.1", "2.2", "2.3"] as const) {
      const cap = parseLoadFile(writeCap({ ...spec, format }));
      const info = parseLfdb(cap.lfdb);
      expect(toHex(info.packageAid)).toBe("A0000006472F0001");
      expect(info.applets.map((a) => a.installMethodOffset)).toEqual(cap.applets.map((a) => a.installMethodOffset));
      expect(info.components.has("Descriptor")).toBe(false);
      const header = new TextDecoder().decode(cap.components.get("Header")!);
      expect(header.includes("org/example/hello")).toBe(format !== "2.1");
    }
  });

  test("CAP 2.3 compact: 12 u2 sizes and a u4 StaticResources size in the Directory, the token mapping in each class_info", () => {
    const cap = parseLoadFile(writeCap({ ...spec, format: "2.3" }));
    const dir = cap.components.get("Directory")!;
    // JCVM 3.1 §6.5: 12 u2 + u4 + static_field_size_info (6) + 3 counts.
    expect(dir.length - 3).toBe(2 * 12 + 4 + 9);
    expect(toHex(dir.subarray(3 + 24, 3 + 28))).toBe("00000000");
    const classes = cap.components.get("Class")!;
    const two2 = parseLoadFile(writeCap({ ...spec, format: "2.2" })).components.get("Class")!;
    // Two applet classes, each 9 bytes longer: mapping[8] (0..7) + CAP22 count 8 (JCVM 3.1 §6.9.2.3).
    expect(classes.length - two2.length).toBe(2 * 9);
    expect(toHex(classes.subarray(3 + 2 + 12, 3 + 2 + 21))).toBe("000102030405060708");
  });

  test("components sit at <package path>/javacard/ with a manifest; output is deterministic", () => {
    const bytes = writeCap(spec);
    const names = Object.keys(unzipSync(bytes));
    expect(names).toContain("META-INF/MANIFEST.MF");
    expect(names).toContain("org/example/hello/javacard/Header.cap");
    expect(names).toContain("org/example/hello/javacard/Descriptor.cap");
    expect(toHex(writeCap(spec))).toBe(toHex(bytes));
  });

  test("install is the converter's shape: new, dup, args, invokespecial <init>, pop, return", () => {
    const cap = parseLoadFile(writeCap(spec));
    const method = cap.components.get("Method")!.subarray(3); // the info item
    const at = cap.applets[0]!.installMethodOffset;
    // header 05 30 (max_stack 5; nargs 3), new #2, dup, aload_0, sload_1, sload_2, invokespecial #3, pop, return
    expect(toHex(method.subarray(at, at + 14))).toBe("05308F00023D181D1E8C00033B7A");
    // The constructor at offset 1 calls Applet.<init> (cp 0) then register(byte[],short,byte) (cp 1).
    expect(toHex(method.subarray(1, 19))).toBe("0540188C000018191E0441191E258B00017A");
  });

  test.each([
    [60_000, 59_000, 64_000],
    [70_000, 65_536, 72_000],
  ])("padding %d makes an LFDB between %d and %d bytes that a card still parses", (padding, min, max) => {
    const cap = parseLoadFile(writeCap({ ...spec, padding }));
    expect(cap.lfdb.length).toBeGreaterThanOrEqual(min);
    expect(cap.lfdb.length).toBeLessThanOrEqual(max);
    expect(parseLfdb(cap.lfdb).applets.length).toBe(2);
  });

  test("too much padding, bad AIDs, names or imports are refused with the reason", () => {
    expect(() => writeCap({ ...spec, padding: 200_000 })).toThrow(/Method component would have \d+ bytes/);
    expect(() => writeCap({ ...spec, packageAid: fromHex("A000") })).toThrow("The package AID has 2 bytes");
    expect(() => writeCap({ ...spec, applets: [{ aid: new Uint8Array(17), className: "X" }] })).toThrow("The applet AID has 17 bytes");
    expect(() => writeCap({ ...spec, packageName: "org..x" })).toThrow("is not a dotted Java name");
    expect(() => writeCap({ ...spec, applets: [] })).toThrow("1 to 15 applets");
    expect(() => writeCap({ ...spec, imports: [{ aid: fromHex("A0000000620001"), major: 1, minor: 0 }] })).toThrow("javacard.framework");
  });

  test("custom imports keep their order and the framework token follows them", () => {
    const imports = [
      { aid: fromHex("A0000000620001"), major: 1, minor: 0 },
      { aid: fromHex("A0000000620101"), major: 1, minor: 6 },
    ];
    const cap = parseLoadFile(writeCap({ ...spec, imports }));
    expect(cap.imports.map((i) => toHex(i.aid))).toEqual(["A0000000620001", "A0000000620101"]);
    // Class component: super_class_ref is external package token 1 (0x81), class token 3 (Applet).
    expect(toHex(cap.components.get("Class")!.subarray(4, 6))).toBe("8103");
  });
});
