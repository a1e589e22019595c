/**
 * What the Windows and macOS executables ask their system's loader for,
 * read from their import tables (scripts/build/imports/): PC/SC is not
 * among it. bun:ffi opens winscard.dll / PCSC.framework at run time with
 * LoadLibrary / dlopen, so the import tables hold the loader's functions and
 * the embedded bundle holds the library path and the export names the ABI
 * row binds. Everything linked at start-up must ship with the system, or the
 * binary would not start on a user's machine. docs/platforms.md says what
 * this covers and what only a run on those systems would.
 */
import { describe, test, expect, afterAll } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { buildBinaries, type BuiltSet } from "../../scripts/build/host-binary.ts";
import { TARGETS } from "../../scripts/build/targets.ts";
import { parsePe } from "../../scripts/build/imports/pe.ts";
import { parseMachO } from "../../scripts/build/imports/macho.ts";
import { BinaryFormatError, type ImportTable } from "../../scripts/build/imports/reader.ts";
import { ABIS, type Abi } from "../../src/ffi/abi.ts";
import { signatures } from "../../src/ffi/winscard.ts";

const targets = TARGETS.filter((t) => t.os !== "linux");
let set: BuiltSet | undefined;
let buildError: unknown;
try {
  set = buildBinaries(targets);
} catch (error) {
  buildError = error;
}
afterAll(() => {
  if (set) rmSync(set.base, { recursive: true, force: true });
});

const PCSC_LIBRARY = /winscard|pcsc/i;
/** Windows DLLs every Windows 10/11 installation has (System32, or API sets the loader maps). */
const WINDOWS_SYSTEM_DLLS = new Set(
  ["ntdll", "kernel32", "bcryptprimitives", "wsock32", "crypt32", "ws2_32", "dbghelp", "userenv", "user32", "advapi32", "ole32", "shell32", "oleaut32", "iphlpapi"].map((n) => `${n}.dll`),
);

const cache = new Map<string, Uint8Array>();
function bytesOf(name: string): Uint8Array {
  if (!cache.has(name)) cache.set(name, new Uint8Array(readFileSync(set!.binaries.get(name)!.bin)));
  return cache.get(name)!;
}

/** The export names a row binds, as the source spells them (the "A" suffix is added at run time from the row). */
function boundNames(abi: Abi): string[] {
  return Object.values(signatures(abi)).map(([name]) => (abi.stringSuffix === "A" ? name.replace(/A$/, "") : name));
}

/** The bytes of a named section, as latin1 text. */
function sectionText(table: ImportTable, bytes: Uint8Array, name: string): string {
  const s = table.sections.get(name);
  if (!s) throw new Error(`no section ${name}: ${[...table.sections.keys()].join(", ")}`);
  return new TextDecoder("latin1").decode(bytes.subarray(s.offset, s.offset + s.size));
}

test("scripts/build.ts builds the Windows and macOS executables", () => {
  if (buildError) throw buildError;
  expect([...set!.binaries.keys()]).toEqual(targets.map((t) => t.name));
});

describe.if(set !== undefined)("windows-x64 (PE32+)", () => {
  const bytes = set ? bytesOf("windows-x64") : new Uint8Array();
  const table = set ? parsePe(bytes, "webcard-windows-x64.exe") : undefined;

  test("links no PC/SC library, and only DLLs that ship with Windows", () => {
    expect(table!.libraries.filter((l) => PCSC_LIBRARY.test(l))).toEqual([]);
    const lower = table!.libraries.map((l) => l.toLowerCase());
    expect(lower.filter((l) => !WINDOWS_SYSTEM_DLLS.has(l) && !l.startsWith("api-ms-win-"))).toEqual([]);
    expect(lower).toContain("kernel32.dll");
  });

  test("imports the loader functions bun:ffi's dlopen uses (LoadLibraryExW, GetProcAddress from KERNEL32)", () => {
    const kernel32 = table!.imports.filter((i) => i.library.toLowerCase() === "kernel32.dll").map((i) => i.name);
    expect(kernel32).toContain("LoadLibraryExW");
    expect(kernel32).toContain("GetProcAddress");
    expect(table!.imports.filter((i) => /^SCard/.test(i.name))).toEqual([]);
  });

  test("the embedded bundle (.bun section) carries winscard.dll and every name the Windows row binds", () => {
    const text = sectionText(table!, bytes, ".bun");
    for (const lib of ABIS.windows.libraries) expect(text).toContain(lib);
    for (const name of boundNames(ABIS.windows)) expect([name, text.includes(name)]).toEqual([name, true]);
  });

  test.if(Bun.which("x86_64-w64-mingw32-objdump") !== null)("every DLL objdump lists is in the parsed table", () => {
    const r = Bun.spawnSync(["x86_64-w64-mingw32-objdump", "-p", set!.binaries.get("windows-x64")!.bin], { stdout: "pipe" });
    const dlls = [...r.stdout.toString().matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]!);
    expect(dlls.length).toBeGreaterThan(0);
    expect(dlls.filter((d) => !table!.libraries.includes(d))).toEqual([]);
  }, 60_000);
});

for (const name of ["darwin-x64", "darwin-arm64"]) {
  describe.if(set !== undefined)(`${name} (Mach-O)`, () => {
    const bytes = set ? bytesOf(name) : new Uint8Array();
    const table = set ? parseMachO(bytes, `webcard-${name}`) : undefined;

    test("links no PC/SC framework, and only system libraries (/usr/lib, /System/Library)", () => {
      expect(table!.libraries.filter((l) => PCSC_LIBRARY.test(l))).toEqual([]);
      expect(table!.libraries.filter((l) => !l.startsWith("/usr/lib/") && !l.startsWith("/System/Library/"))).toEqual([]);
      expect(table!.libraries).toContain("/usr/lib/libSystem.B.dylib");
    });

    test("imports dlopen and dlsym from libSystem, and no SCard function", () => {
      const system = table!.imports.filter((i) => i.library === "/usr/lib/libSystem.B.dylib").map((i) => i.name);
      expect(system).toContain("_dlopen");
      expect(system).toContain("_dlsym");
      expect(table!.imports.filter((i) => /SCard/.test(i.name))).toEqual([]);
    });

    test("the embedded bundle (__BUN,__bun) carries PCSC.framework's path and every name the macOS row binds", () => {
      const text = sectionText(table!, bytes, "__BUN,__bun");
      for (const lib of ABIS.darwin.libraries) expect(text).toContain(lib);
      for (const n of boundNames(ABIS.darwin)) expect([n, text.includes(n)]).toEqual([n, true]);
    });

    test.if(Bun.which("llvm-nm") !== null)("every undefined symbol llvm-nm lists is in the parsed table", () => {
      const r = Bun.spawnSync(["llvm-nm", "--undefined-only", "--just-symbol-name", set!.binaries.get(name)!.bin], { stdout: "pipe" });
      const nm = r.stdout.toString().trim().split("\n").filter(Boolean);
      expect(nm.length).toBeGreaterThan(100);
      const mine = new Set(table!.imports.map((i) => i.name));
      expect(nm.filter((s) => !mine.has(s))).toEqual([]);
    }, 60_000);
  });
}

describe.if(set !== undefined)("the parsers refuse damaged files with a message", () => {
  test("a truncated PE and a truncated Mach-O", () => {
    const pe = bytesOf("windows-x64");
    expect(() => parsePe(pe.subarray(0, 0x200), "cut.exe")).toThrow(BinaryFormatError);
    const macho = bytesOf("darwin-arm64");
    expect(() => parseMachO(macho.subarray(0, 64), "cut")).toThrow(BinaryFormatError);
  });

  test("a PE whose e_lfanew points past the end, a Mach-O claiming a million load commands", () => {
    const pe = bytesOf("windows-x64").slice(0, 4096);
    new DataView(pe.buffer).setUint32(0x3c, 0x7fffffff, true);
    expect(() => parsePe(pe, "bad.exe")).toThrow("outside the file");
    const macho = bytesOf("darwin-x64").slice(0, 65536);
    new DataView(macho.buffer).setUint32(16, 1_000_000, true);
    expect(() => parseMachO(macho, "bad")).toThrow("load commands");
  });

  test("each parser refuses the other's format", () => {
    expect(() => parsePe(bytesOf("darwin-x64").subarray(0, 4096), "x")).toThrow("no MZ signature");
    expect(() => parseMachO(bytesOf("windows-x64").subarray(0, 4096), "x")).toThrow("not a thin 64-bit Mach-O");
  });
});
