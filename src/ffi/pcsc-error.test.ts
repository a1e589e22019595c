import { test, expect } from "bun:test";
import { WebcardError } from "../stack/errors.ts";
import { CODE, PCSC_CODES, PcscError, codeName, normaliseCode } from "./pcsc-error.ts";

test("return codes normalise from 64-bit positive and 32-bit negative forms", () => {
  expect(normaliseCode(2148532234n)).toBe(0x8010000a); // LONG on LP64 pcsc-lite
  expect(normaliseCode(-2146435062)).toBe(0x8010000a); // LONG on 32-bit winscard
  expect(normaliseCode(0n)).toBe(0);
});

test("every SCARD_E_/SCARD_W_ code from 0x80100001 to 0x80100031 and 0x80100065 to 0x8010006F has a name", () => {
  const missing: string[] = [];
  for (const [from, to] of [[0x80100001, 0x80100031], [0x80100065, 0x8010006f]] as const) {
    for (let c = from; c <= to; c++) if (!(c in PCSC_CODES)) missing.push(c.toString(16));
  }
  expect(missing).toEqual([]);
  expect(codeName(CODE.SCARD_W_REMOVED_CARD)).toBe("SCARD_W_REMOVED_CARD");
  expect(codeName(0x8010ffff)).toBe("0x8010FFFF");
});

test("PcscError carries the call, the code and its name", () => {
  const e = new PcscError("SCardTransmit", 0x80100069);
  expect(e).toBeInstanceOf(WebcardError);
  expect([e.call, e.code, e.codeName, e.name]).toEqual(["SCardTransmit", 0x80100069, "SCARD_W_REMOVED_CARD", "PcscError"]);
  expect(e.message).toBe("SCardTransmit failed: SCARD_W_REMOVED_CARD (0x80100069): The smart card has been removed, so further communication is not possible");
  expect(new PcscError("SCardConnect", -2146435060).codeName).toBe("SCARD_E_NO_SMARTCARD");
});
