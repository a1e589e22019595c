/**
 * The ABI table's Windows and macOS rows against those platforms' headers,
 * as far as this Linux machine can check them (docs/platforms.md):
 * - Windows: MinGW-w64's winscard.h, compiled by its cross gcc, gives the
 *   struct sizes, offsets and constants; a program that takes the address of
 *   every export name the Windows row binds links against MinGW-w64's
 *   WinSCard import library (so each name exists in winscard.dll), and its
 *   PE import table, read by scripts/build/imports/pe.ts, lists exactly them.
 * - macOS: no SDK here. Apple's declarations (PCSC.framework: DWORD and LONG
 *   are 32-bit, `#pragma pack(1)` around the structs, rgbAtr[33]) are
 *   restated below and compiled by gcc, which lays them out as clang does.
 * With CI=true the MinGW-w64 compiler must be there (.ci/run installs it).
 */
import { describe, test, expect, afterAll } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ABIS, type Abi } from "../../src/ffi/abi.ts";
import { signatures } from "../../src/ffi/winscard.ts";
import { parsePe } from "../../scripts/build/imports/pe.ts";
import { compileLayout } from "./c-layout.ts";

const CI = process.env.CI === "true" || process.env.CI === "1";
const MINGW = Bun.which("x86_64-w64-mingw32-gcc");
const GCC = Bun.which("gcc");
/** windows.h takes seconds to compile on a loaded machine. */
const COMPILE_TIMEOUT = 60_000;
const temp = mkdtempSync(join(tmpdir(), "webcard-platform-abi-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The export names a row binds with dlopen (what the library must export). */
const exportNames = (abi: Abi) => Object.values(signatures(abi)).map(([name]) => name).sort();

/** What each row claims, in the names the probes below use. */
function claims(abi: Abi): Record<string, number> {
  const rs = abi.readerState;
  return {
    dword: abi.dword,
    long: abi.longBits / 8,
    handle: abi.handle,
    context: abi.handle,
    "rs.size": rs.size,
    "rs.szReader": rs.szReader,
    "rs.pvUserData": rs.pvUserData,
    "rs.dwCurrentState": rs.dwCurrentState,
    "rs.dwEventState": rs.dwEventState,
    "rs.cbAtr": rs.cbAtr,
    "rs.rgbAtr": rs.rgbAtr,
    "rs.atrCapacity": rs.atrCapacity,
    "io.size": abi.ioRequestSize,
  };
}

/** The same facts as C expressions over a SCARD_READERSTATE type named `rs`. */
function probes(rs: string): Record<string, string> {
  return {
    dword: "sizeof(DWORD)",
    long: "sizeof(LONG)",
    handle: "sizeof(SCARDHANDLE)",
    context: "sizeof(SCARDCONTEXT)",
    "rs.size": `sizeof(${rs})`,
    "rs.szReader": `offsetof(${rs}, szReader)`,
    "rs.pvUserData": `offsetof(${rs}, pvUserData)`,
    "rs.dwCurrentState": `offsetof(${rs}, dwCurrentState)`,
    "rs.dwEventState": `offsetof(${rs}, dwEventState)`,
    "rs.cbAtr": `offsetof(${rs}, cbAtr)`,
    "rs.rgbAtr": `offsetof(${rs}, rgbAtr)`,
    "rs.atrCapacity": `sizeof(((${rs} *)0)->rgbAtr)`,
    "io.size": "sizeof(SCARD_IO_REQUEST)",
  };
}

test.if(CI)("CI has the MinGW-w64 cross compiler for the Windows checks", () => {
  expect(MINGW).not.toBeNull();
});

describe.if(MINGW !== null)("the Windows row against MinGW-w64's winscard.h and WinSCard import library", () => {
  const prelude = "#include <stddef.h>\n#include <windows.h>\n#include <winscard.h>";

  test("type sizes, SCARD_READERSTATEA and SCARD_IO_REQUEST as the Windows compiler lays them out", () => {
    const c = compileLayout(MINGW!, prelude, probes("SCARD_READERSTATEA"));
    expect(c).toEqual(claims(ABIS.windows));
  }, COMPILE_TIMEOUT);

  test("the constants that differ from pcsc-lite: SCARD_PROTOCOL_RAW, SCARD_CTL_CODE, the SCardStatus states", () => {
    const states = ["UNKNOWN", "ABSENT", "PRESENT", "SWALLOWED", "POWERED", "NEGOTIABLE", "SPECIFIC"] as const;
    const c = compileLayout(MINGW!, prelude, {
      protocolRaw: "SCARD_PROTOCOL_RAW",
      ctl3400: "SCARD_CTL_CODE(3400)",
      ...Object.fromEntries(states.map((s) => [s, `SCARD_${s}`])),
    });
    expect(c.protocolRaw).toBe(ABIS.windows.protocolRaw);
    expect(c.ctl3400).toBe(ABIS.windows.ctlCode(3400));
    expect(states.map((s) => c[s])).toEqual(states.map((s) => ABIS.windows.cardState[s]));
  }, COMPILE_TIMEOUT);

  test("every export name the row binds links against WinSCard, and the PE imports exactly those", () => {
    const names = exportNames(ABIS.windows);
    // Declared without the header (its prototypes would clash with this generic one);
    // taking each address makes the linker resolve it in the import library.
    const source = `${names.map((n) => `extern void ${n}(void);`).join("\n")}
void *const webcard_used[] = { ${names.map((n) => `(void *)&${n}`).join(", ")} };
int main(void) { return webcard_used[0] == 0; }
`;
    writeFileSync(join(temp, "probe.c"), source);
    const exe = join(temp, "probe.exe");
    const r = Bun.spawnSync([MINGW!, "-O0", "-o", exe, join(temp, "probe.c"), "-lwinscard"], { stdout: "pipe", stderr: "pipe" });
    expect({ exitCode: r.exitCode, stderr: r.stderr.toString() }).toEqual({ exitCode: 0, stderr: "" });
    const table = parsePe(new Uint8Array(readFileSync(exe)), "probe.exe");
    const winscard = table.imports.filter((i) => i.library.toLowerCase() === "winscard.dll").map((i) => i.name).sort();
    expect(winscard).toEqual(names);
    expect(names).toContain("SCardListReadersA");
  }, COMPILE_TIMEOUT);

  test("a name winscard.dll does not export fails to link (the check above can fail)", () => {
    writeFileSync(join(temp, "bad.c"), "extern void SCardListReadersZ(void);\nvoid *const used[] = { (void *)&SCardListReadersZ };\nint main(void) { return used[0] == 0; }\n");
    const r = Bun.spawnSync([MINGW!, "-o", join(temp, "bad.exe"), join(temp, "bad.c"), "-lwinscard"], { stdout: "pipe", stderr: "pipe" });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.toString()).toContain("SCardListReadersZ");
  }, COMPILE_TIMEOUT);
});

describe.if(GCC !== null)("the macOS row against Apple's PCSC.framework declarations", () => {
  // PCSC.framework (macOS SDK, PCSC/wintypes.h and PCSC/pcsclite.h): under
  // __APPLE__ DWORD is uint32_t and LONG int32_t; SCARDCONTEXT and SCARDHANDLE
  // are LONG; the structs sit between #pragma pack(1) and #pragma pack().
  const prelude = `#include <stddef.h>
#include <stdint.h>
typedef uint32_t DWORD;
typedef int32_t LONG;
typedef LONG SCARDCONTEXT;
typedef LONG SCARDHANDLE;
#define MAX_ATR_SIZE 33
#pragma pack(1)
typedef struct { const char *szReader; void *pvUserData; DWORD dwCurrentState; DWORD dwEventState; DWORD cbAtr; unsigned char rgbAtr[MAX_ATR_SIZE]; } SCARD_READERSTATE;
typedef struct { DWORD dwProtocol; DWORD cbPciLength; } SCARD_IO_REQUEST;
#pragma pack()`;

  test("type sizes, packed SCARD_READERSTATE (61 bytes) and SCARD_IO_REQUEST", () => {
    expect(compileLayout(GCC!, prelude, probes("SCARD_READERSTATE"))).toEqual(claims(ABIS.darwin));
    expect(ABIS.darwin.readerState.size).toBe(61);
  }, COMPILE_TIMEOUT);

  test("the row binds pcsc-lite's names, with SCardControl under PCSC.framework's SCardControl132", () => {
    const names = exportNames(ABIS.darwin);
    expect(names).toContain("SCardControl132");
    expect(names).not.toContain("SCardControl");
    expect(names.filter((n) => n !== "SCardControl132")).toEqual(exportNames(ABIS.linux).filter((n) => n !== "SCardControl"));
  });
});

test("the Windows row binds the ANSI (A) entry points of every call that takes a string", () => {
  const names = exportNames(ABIS.windows);
  for (const base of ["SCardListReaders", "SCardGetStatusChange", "SCardConnect", "SCardStatus"]) {
    expect(names).toContain(`${base}A`);
    expect(names).not.toContain(base);
  }
});
