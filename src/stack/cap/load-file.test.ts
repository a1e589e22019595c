import { describe, test, expect } from "bun:test";
import { unzipSync, zipSync } from "fflate";
import { parseLoadFile } from "./load-file.ts";
import { writeCap } from "./writer/write-cap.ts";
import { concat, fromHex, toHex, u16 } from "../bytes.ts";
import { FormatError } from "../errors.ts";
import { LOAD_ORDER } from "./components.ts";

const DIR = "com/example/app/javacard/";

function files(format: "2.1" | "2.2" = "2.1"): Record<string, Uint8Array> {
  return unzipSync(
    writeCap({
      packageAid: fromHex("A00000000101"),
      packageName: "com.example.app",
      applets: [{ aid: fromHex("A0000000010101"), className: "App" }],
      format,
    }),
  );
}

function message(bytes: Uint8Array, name = "app.cap"): string {
  try {
    parseLoadFile(bytes, name);
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    const text = (error as FormatError).message;
    expect(text.includes("\n")).toBe(false);
    return text;
  }
  throw new Error("expected a FormatError");
}

function withEntry(path: string, data: Uint8Array | undefined, base = files()): Uint8Array {
  const copy = { ...base };
  if (data === undefined) delete copy[path];
  else copy[path] = data;
  return zipSync(copy);
}

function patch(bytes: Uint8Array, at: number, ...values: number[]): Uint8Array {
  const out = bytes.slice();
  values.forEach((v, i) => (out[at + i] = v));
  return out;
}

describe("parseLoadFile", () => {
  test("the LFDB is the load-order concatenation without Descriptor, and its hashes are over it", () => {
    const f = files();
    const cap = parseLoadFile(zipSync(f));
    const expected = concat(...LOAD_ORDER.flatMap((n) => f[`${DIR}${n}.cap`] ?? []));
    expect(toHex(cap.lfdb)).toBe(toHex(expected));
    expect(cap.lfdbHash("sha256").length).toBe(32);
    expect(cap.lfdbHash("sha1").length).toBe(20);
    expect(toHex(cap.lfdbHash("sha256"))).not.toBe(toHex(parseLoadFile(writeCap({ packageAid: fromHex("A00000000102"), packageName: "x", applets: [{ aid: fromHex("A0000000010201"), className: "X" }] })).lfdbHash("sha256")));
  });

  test("a raw IJC file (components concatenated) gives the same facts and LFDB", () => {
    const f = files("2.2");
    const ijc = concat(...[...LOAD_ORDER, "Descriptor"].flatMap((n) => f[`${DIR}${n}.cap`] ?? []));
    const cap = parseLoadFile(ijc);
    const zipped = parseLoadFile(zipSync(f));
    expect(cap.container).toBe("ijc");
    expect(cap.packageName).toBe("com.example.app");
    expect(toHex(cap.lfdb)).toBe(toHex(zipped.lfdb));
    expect(cap.applets[0]!.className).toBeUndefined();
  });

  test("extra files (META-INF, .exp, classes) are ignored", () => {
    const cap = parseLoadFile(zipSync({ ...files(), "com/example/app/javacard/app.exp": new Uint8Array([0, 250, 202, 254]), "APPLET-INF/applet.xml": new Uint8Array(3) }));
    expect(toHex(cap.packageAid)).toBe("A00000000101");
  });

  test("CAP 2.3 compact: StaticResources (u4 size, .capx) is placed after RefLocation", () => {
    const f = files("2.2");
    const header = patch(f[`${DIR}Header.cap`]!, 7, 3); // format 2.3
    const resources = concat(13, 0, 0, 0, 4, fromHex("CAFE0001"));
    const dir = f[`${DIR}Directory.cap`]!;
    // Directory of CAP 2.3: 12 u2 sizes then a u4 for StaticResources (JCVM 3.1 §6.5).
    const size = dir.length - 3 + 4;
    const dir23 = concat(2, u16(size), dir.subarray(3, 5), u16(size), dir.subarray(7, 27), 0, 0, 0, 4, dir.subarray(27));
    const cap = parseLoadFile(zipSync({ ...f, [`${DIR}Header.cap`]: header, [`${DIR}Directory.cap`]: dir23, [`${DIR}StaticResources.capx`]: resources }));
    expect(cap.formatVersion).toBe("2.3");
    expect(toHex(cap.lfdb.subarray(-9))).toBe("0D00000004CAFE0001");
  });

  test.each([
    ["not a ZIP or IJC", () => new TextEncoder().encode("hello, world"), "Cannot read CAP file app.cap: not a ZIP or IJC load file"],
    ["a damaged ZIP", () => zipSync(files()).subarray(0, 200), "Cannot read CAP file app.cap: the ZIP archive is damaged"],
    ["no Header", () => withEntry(`${DIR}Header.cap`, undefined), "Cannot read CAP file app.cap: no Header component"],
    ["bad magic", () => withEntry(`${DIR}Header.cap`, patch(files()[`${DIR}Header.cap`]!, 3, 0xca, 0xfe, 0xba, 0xbe)), "bad magic in the Header component: found CAFEBABE, expected DECAFFED"],
    ["format 3.0", () => withEntry(`${DIR}Header.cap`, patch(files()[`${DIR}Header.cap`]!, 7, 0, 3)), "unsupported CAP format 3.0"],
    ["ACC_EXTENDED in a CAP 2.2 file", () => withEntry(`${DIR}Header.cap`, patch(files()[`${DIR}Header.cap`]!, 7, 2, 2, 0x0c)), "the Header sets ACC_EXTENDED in a CAP 2.2 file"],
    ["a truncated Method", () => withEntry(`${DIR}Method.cap`, files()[`${DIR}Method.cap`]!.subarray(0, 20)), "the Method component declares"],
    ["bytes after a component", () => withEntry(`${DIR}Class.cap`, concat(files()[`${DIR}Class.cap`]!, 0)), "the Class component has 1 bytes after its declared size"],
    ["a wrong tag", () => withEntry(`${DIR}Class.cap`, patch(files()[`${DIR}Class.cap`]!, 0, 7)), "the Class component file has tag 7, expected 6"],
    ["two packages", () => zipSync({ ...files(), "other/javacard/Header.cap": files()[`${DIR}Header.cap`]! }), "the ZIP holds 2 packages (com/example/app, other)"],
    ["an applet AID of 17 bytes", () => withEntry(`${DIR}Applet.cap`, concat(3, u16(21), 1, 17, new Uint8Array(17), u16(1))), "applet 1 AID is 17 bytes long"],
    ["an applet AID of 3 bytes", () => withEntry(`${DIR}Applet.cap`, concat(3, u16(7), 1, 3, new Uint8Array(3), u16(1))), "applet 1 AID is 3 bytes long"],
    ["a missing Method", () => withEntry(`${DIR}Method.cap`, undefined), "the Method component is missing"],
    ["a Directory that disagrees", () => withEntry(`${DIR}StaticField.cap`, concat(8, u16(11), new Uint8Array(11))), "the Directory says the StaticField component has 10 bytes but it has 11"],
  ])("%s is refused in one line", (_name, make, expected) => {
    expect(message(make())).toContain(expected);
  });

  test("without a name the message still reads well", () => {
    expect(() => parseLoadFile(new Uint8Array(10))).toThrow(/^Cannot read CAP file: not a ZIP or IJC load file$/);
  });
});
