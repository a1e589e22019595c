import { describe, test, expect } from "bun:test";
import { existsSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ABIS, SCARD, abiFor, readerStateLayout } from "./abi.ts";
import { CODE, PCSC_CODES } from "./pcsc-error.ts";
import { signatures } from "./winscard.ts";

const HEADERS = "/usr/include/PCSC/winscard.h";
const gccUsable = process.platform === "linux" && process.arch === "x64" && existsSync(HEADERS) && Bun.which("gcc") !== null;

// Every fact the Linux row and the constant tables claim, printed by C from the system headers.
const PROGRAM = `
#include <stdio.h>
#include <stddef.h>
#include <winscard.h>
#include <reader.h>
#define P(name, value) printf("%s=%lu\\n", name, (unsigned long)(value))
int main(void) {
  P("dword", sizeof(DWORD)); P("long", sizeof(LONG)); P("handle", sizeof(SCARDHANDLE)); P("context", sizeof(SCARDCONTEXT));
  P("rs.size", sizeof(SCARD_READERSTATE));
  P("rs.szReader", offsetof(SCARD_READERSTATE, szReader)); P("rs.pvUserData", offsetof(SCARD_READERSTATE, pvUserData));
  P("rs.dwCurrentState", offsetof(SCARD_READERSTATE, dwCurrentState)); P("rs.dwEventState", offsetof(SCARD_READERSTATE, dwEventState));
  P("rs.cbAtr", offsetof(SCARD_READERSTATE, cbAtr)); P("rs.rgbAtr", offsetof(SCARD_READERSTATE, rgbAtr));
  P("rs.atrCapacity", sizeof(((SCARD_READERSTATE *)0)->rgbAtr));
  P("io.size", sizeof(SCARD_IO_REQUEST)); P("io.cbPciLength", offsetof(SCARD_IO_REQUEST, cbPciLength));
  P("ctl1", SCARD_CTL_CODE(1)); P("MAX_ATR_SIZE", MAX_ATR_SIZE);
  P("SHARE_SHARED", SCARD_SHARE_SHARED); P("SHARE_EXCLUSIVE", SCARD_SHARE_EXCLUSIVE); P("PROTOCOL_T0", SCARD_PROTOCOL_T0);
  P("PROTOCOL_T1", SCARD_PROTOCOL_T1); P("PROTOCOL_RAW", SCARD_PROTOCOL_RAW); P("LEAVE_CARD", SCARD_LEAVE_CARD);
  P("RESET_CARD", SCARD_RESET_CARD); P("UNPOWER_CARD", SCARD_UNPOWER_CARD); P("STATE_CHANGED", SCARD_STATE_CHANGED);
  P("STATE_EMPTY", SCARD_STATE_EMPTY); P("STATE_PRESENT", SCARD_STATE_PRESENT); P("STATE_UNKNOWN", SCARD_STATE_UNKNOWN);
  P("STATE_UNAVAILABLE", SCARD_STATE_UNAVAILABLE); P("STATE_MUTE", SCARD_STATE_MUTE); P("INFINITE", INFINITE);
  P("SCARD_E_TIMEOUT", SCARD_E_TIMEOUT); P("SCARD_E_NO_SERVICE", SCARD_E_NO_SERVICE); P("SCARD_W_REMOVED_CARD", SCARD_W_REMOVED_CARD);
  P("SCARD_E_NOT_TRANSACTED", SCARD_E_NOT_TRANSACTED); P("SCARD_E_NO_SMARTCARD", SCARD_E_NO_SMARTCARD);
  P("SCARD_E_CANCELLED", SCARD_E_CANCELLED); P("SCARD_E_NO_READERS_AVAILABLE", SCARD_E_NO_READERS_AVAILABLE);
  P("UNKNOWN", SCARD_UNKNOWN); P("ABSENT", SCARD_ABSENT); P("PRESENT", SCARD_PRESENT); P("SWALLOWED", SCARD_SWALLOWED);
  P("POWERED", SCARD_POWERED); P("NEGOTIABLE", SCARD_NEGOTIABLE); P("SPECIFIC", SCARD_SPECIFIC);
  P("SCARD_W_CARD_NOT_AUTHENTICATED", SCARD_W_CARD_NOT_AUTHENTICATED); P("SCARD_E_SERVER_TOO_BUSY", SCARD_E_SERVER_TOO_BUSY);
  return 0;
}
`;

function measured(): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), "webcard-abi-"));
  try {
    writeFileSync(join(dir, "abi.c"), PROGRAM);
    const cc = Bun.spawnSync(["gcc", "-I/usr/include/PCSC", "-o", join(dir, "abi"), join(dir, "abi.c")], { stderr: "pipe" });
    if (cc.exitCode !== 0) throw new Error(cc.stderr.toString());
    const out = Bun.spawnSync([join(dir, "abi")], { stdout: "pipe" }).stdout.toString();
    return Object.fromEntries(out.trim().split("\n").map((l) => l.split("=")).map(([k, v]) => [k!, Number(v)]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The prototypes the transaction and reconnect calls are bound with, as pcsc-lite declares them: gcc refuses to compile otherwise.
const PROTOTYPES = `
#include <winscard.h>
#define SAME(f, t) _Static_assert(__builtin_types_compatible_p(__typeof__(&f), t), #f)
SAME(SCardBeginTransaction, LONG (*)(SCARDHANDLE));
SAME(SCardEndTransaction, LONG (*)(SCARDHANDLE, DWORD));
SAME(SCardReconnect, LONG (*)(SCARDHANDLE, DWORD, DWORD, DWORD, LPDWORD));
SAME(SCardDisconnect, LONG (*)(SCARDHANDLE, DWORD));
int main(void) { return 0; }
`;

function prototypesCompile(): string {
  const dir = mkdtempSync(join(tmpdir(), "webcard-abi-"));
  try {
    writeFileSync(join(dir, "proto.c"), PROTOTYPES);
    const cc = Bun.spawnSync(["gcc", "-I/usr/include/PCSC", "-fsyntax-only", join(dir, "proto.c")], { stderr: "pipe" });
    return cc.exitCode === 0 ? "ok" : cc.stderr.toString();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// CI installs gcc and libpcsclite-dev (.ci/run): there the layout check must run, never skip.
const CI = process.env.CI === "true" || process.env.CI === "1";
test.if(CI && process.platform === "linux" && process.arch === "x64")("CI has gcc and pcsc-lite's headers for the layout check", () => {
  expect(gccUsable).toBe(true);
});

describe.if(gccUsable)("the Linux ABI row against pcsc-lite's headers compiled with gcc", () => {
  const c = gccUsable ? measured() : {};
  const L = ABIS.linux;

  test("type sizes", () => {
    expect({ dword: c.dword, long: c.long, handle: c.handle, context: c.context }).toEqual({ dword: L.dword, long: L.longBits / 8, handle: L.handle, context: L.handle });
  });

  test("SCARD_READERSTATE layout", () => {
    const rs = L.readerState;
    expect([c["rs.size"], c["rs.szReader"], c["rs.pvUserData"], c["rs.dwCurrentState"], c["rs.dwEventState"], c["rs.cbAtr"], c["rs.rgbAtr"], c["rs.atrCapacity"]]).toEqual([
      rs.size, rs.szReader, rs.pvUserData, rs.dwCurrentState, rs.dwEventState, rs.cbAtr, rs.rgbAtr, rs.atrCapacity,
    ]);
  });

  test("the transaction, reconnect and disconnect calls: pcsc-lite's prototypes and the binding's arguments", () => {
    expect(prototypesCompile()).toBe("ok");
    const sig = signatures(L);
    // SCARDHANDLE and DWORD are 64-bit unsigned on LP64 pcsc-lite, LONG signed 64-bit.
    expect(sig.SCardBeginTransaction[1]).toEqual({ args: ["u64"], returns: "i64" });
    expect(sig.SCardEndTransaction[1]).toEqual({ args: ["u64", "u64"], returns: "i64" });
    expect(sig.SCardReconnect[1]).toEqual({ args: ["u64", "u64", "u64", "u64", "ptr"], returns: "i64" });
    expect(sig.SCardDisconnect[1]).toEqual({ args: ["u64", "u64"], returns: "i64" });
  });

  test("SCARD_IO_REQUEST and SCARD_CTL_CODE", () => {
    expect(c["io.size"]).toBe(L.ioRequestSize);
    expect(c["io.cbPciLength"]).toBe(L.dword);
    expect(c.ctl1).toBe(L.ctlCode(1));
  });

  test("constants", () => {
    for (const k of ["SHARE_SHARED", "SHARE_EXCLUSIVE", "PROTOCOL_T0", "PROTOCOL_T1", "LEAVE_CARD", "RESET_CARD", "UNPOWER_CARD", "STATE_CHANGED", "STATE_EMPTY", "STATE_PRESENT", "STATE_UNKNOWN", "STATE_UNAVAILABLE", "STATE_MUTE", "INFINITE", "MAX_ATR_SIZE"] as const) {
      expect([k, c[k]]).toEqual([k, SCARD[k]]);
    }
    for (const k of ["SCARD_E_TIMEOUT", "SCARD_E_NO_SERVICE", "SCARD_W_REMOVED_CARD", "SCARD_E_NOT_TRANSACTED", "SCARD_E_NO_SMARTCARD", "SCARD_E_CANCELLED", "SCARD_E_NO_READERS_AVAILABLE"] as const) {
      expect([k, c[k]]).toEqual([k, CODE[k]]);
    }
    expect(c.PROTOCOL_RAW).toBe(L.protocolRaw);
    for (const k of ["UNKNOWN", "ABSENT", "PRESENT", "SWALLOWED", "POWERED", "NEGOTIABLE", "SPECIFIC"] as const) {
      expect([k, c[k]]).toEqual([k, L.cardState[k]]);
    }
    expect((PCSC_CODES as Record<number, readonly string[]>)[c.SCARD_W_CARD_NOT_AUTHENTICATED!]![0]).toBe("SCARD_W_CARD_NOT_AUTHENTICATED");
    expect((PCSC_CODES as Record<number, readonly string[]>)[c.SCARD_E_SERVER_TOO_BUSY!]![0]).toBe("SCARD_E_SERVER_TOO_BUSY");
  });
});

describe("the other rows", () => {
  test("Windows: natural alignment, 4-byte DWORD, rgbAtr[36] (winscard.h)", () => {
    expect(ABIS.windows.readerState).toEqual({ size: 64, szReader: 0, pvUserData: 8, dwCurrentState: 16, dwEventState: 20, cbAtr: 24, rgbAtr: 28, atrCapacity: 36 });
    // CTL_CODE(FILE_DEVICE_SMARTCARD 0x31, 3400, METHOD_BUFFERED, FILE_ANY_ACCESS)
    expect(ABIS.windows.ctlCode(3400)).toBe(0x313520);
  });
  test("Windows: the constants winsmcrd.h and winscard.h give other values", () => {
    expect(ABIS.windows.protocolRaw).toBe(0x00010000);
    // SCardStatus states are an enumeration there: SCARD_UNKNOWN 0 ... SCARD_SPECIFIC 6.
    expect(Object.values(ABIS.windows.cardState)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(ABIS.darwin.protocolRaw).toBe(ABIS.linux.protocolRaw);
    expect(ABIS.darwin.cardState).toEqual(ABIS.linux.cardState);
  });
  test("Windows and macOS bind the transaction calls with 32-bit DWORD and LONG, no ANSI suffix", () => {
    for (const abi of [ABIS.windows, ABIS.darwin]) {
      const sig = signatures(abi);
      const handle = abi.handle === 8 ? "u64" : "u32";
      expect(sig.SCardBeginTransaction).toEqual(["SCardBeginTransaction", { args: [handle], returns: "i32" }]);
      expect(sig.SCardEndTransaction).toEqual(["SCardEndTransaction", { args: [handle, "u32"], returns: "i32" }]);
    }
  });

  test("macOS: packed, 4-byte DWORD, rgbAtr[33]", () => {
    expect(ABIS.darwin.readerState).toEqual({ size: 61, szReader: 0, pvUserData: 8, dwCurrentState: 16, dwEventState: 20, cbAtr: 24, rgbAtr: 28, atrCapacity: 33 });
  });
  test("platform names choose their rows", () => {
    expect(abiFor("linux")).toBe(ABIS.linux);
    expect(abiFor("freebsd")).toBe(ABIS.linux);
    expect(abiFor("darwin")).toBe(ABIS.darwin);
    expect(abiFor("win32")).toBe(ABIS.windows);
    expect(ABIS.windows.stringSuffix).toBe("A");
  });
  test("the layout function pads to pointer alignment unless packed", () => {
    expect(readerStateLayout(8, 33, false).size).toBe(80);
    expect(readerStateLayout(8, 33, true).size).toBe(73);
  });
});
