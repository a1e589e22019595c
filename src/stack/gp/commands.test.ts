import { test, expect } from "bun:test";
import { fromHex } from "../bytes.ts";
import { select, getData, getStatus, deleteAid, setStatus, putKey } from "./commands.ts";
import { DATA_TAG } from "./constants.ts";

test("SELECT by AID asks for the FCI", () => {
  expect(select(fromHex("A000000151000000")).toString()).toBe("00A4040008A00000015100000000");
});

test("GET DATA for CPLC, key information, and with CLA 00", () => {
  expect(getData(DATA_TAG.CPLC).toString()).toBe("80CA9F7F00");
  expect(getData(DATA_TAG.KEY_INFORMATION).toString()).toBe("80CA00E000");
  expect(getData(DATA_TAG.CPLC, 0x00).toString()).toBe("00CA9F7F00");
});

test("GET STATUS first and next pages, tagged and legacy", () => {
  expect(getStatus("apps").toString()).toBe("80F24002024F0000");
  expect(getStatus("apps", true).toString()).toBe("80F24003024F0000");
  expect(getStatus("isd").toString()).toBe("80F28002024F0000");
  expect(getStatus("load-files-and-modules").toString()).toBe("80F21002024F0000");
  expect(getStatus("load-files", false, true).toString()).toBe("80F22000024F0000");
});

test("DELETE with and without related objects", () => {
  expect(deleteAid(fromHex("0102030405")).toString()).toBe("80E40000074F050102030405" + "00");
  expect(deleteAid(fromHex("0102030405"), true).toString()).toBe("80E40080074F050102030405" + "00");
});

test("SET STATUS lock and unlock of an application", () => {
  expect(setStatus("app", 0x80, fromHex("0102030405060708")).toString()).toBe("80F04080080102030405060708");
  expect(setStatus("app", 0x00, fromHex("0102030405060708")).toString()).toBe("80F04000080102030405060708");
});

test("PUT KEY header: replace version, key id with the multiple-keys bit", () => {
  const apdu = putKey(0x30, 1, true, Uint8Array.of(0x31, 0x88));
  expect(apdu.toString()).toBe("80D8308102318800");
});
