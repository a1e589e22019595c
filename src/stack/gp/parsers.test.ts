import { test, expect } from "bun:test";
import { fromHex, toHex } from "../bytes.ts";
import { parseRegistryEntries, parseLegacyEntries } from "./registry.ts";
import { parseFci } from "./fci.ts";
import { parseCplc } from "./cplc.ts";
import { parseKeyInformation } from "./key-info.ts";
import { parseCardRecognition } from "./card-data.ts";
import { decodeOid } from "./oid.ts";
import { encodeTlv } from "../tlv.ts";

/** Hex of a TLV built from hex parts, so vectors never carry hand-counted lengths. */
const tlv = (tag: number, ...hex: string[]) => toHex(encodeTlv(tag, fromHex(hex.join(""))));
const GP_OID = "2A864886FC6B";

test("tagged registry entries: ISD, application, load file with modules", () => {
  const isd = parseRegistryEntries(
    fromHex(tlv(0xe3, tlv(0x4f, "A000000151000000"), tlv(0x9f70, "0F"), tlv(0xc5, "9EFE80"))),
    "isd",
  );
  expect(isd).toHaveLength(1);
  expect(isd[0]!.kind).toBe("isd");
  expect(toHex(isd[0]!.aid)).toBe("A000000151000000");
  expect(isd[0]!.lifecycle).toBe(0x0f);
  expect(isd[0]!.privileges).toBe(0x9efe80);

  const apps = parseRegistryEntries(
    fromHex(
      tlv(0xe3, tlv(0x4f, "0102030405060708"), tlv(0x9f70, "07"), tlv(0xc5, "00"), tlv(0xc4, "0102030405"), tlv(0xcc, "A000000151000000")) +
        tlv(0xe3, tlv(0x4f, "A000000001"), tlv(0x9f70, "07"), tlv(0xc5, "800000")),
    ),
    "apps",
  );
  expect(apps.map((a) => a.kind)).toEqual(["app", "domain"]);
  expect(toHex(apps[0]!.loadFileAid!)).toBe("0102030405");
  expect(toHex(apps[0]!.domainAid!)).toBe("A000000151000000");

  const files = parseRegistryEntries(
    fromHex(tlv(0xe3, tlv(0x4f, "0102030405"), tlv(0x9f70, "01"), tlv(0xce, "0100"), tlv(0x84, "0102030405060708"), tlv(0x84, "AABBCC"))),
    "load-files-and-modules",
  );
  expect(files[0]!.kind).toBe("load-file");
  expect(toHex(files[0]!.version!)).toBe("0100");
  expect(files[0]!.modules.map(toHex)).toEqual(["0102030405060708", "AABBCC"]);
});

test("an entry without an AID is a format error", () => {
  expect(() => parseRegistryEntries(fromHex("E3049F700107"), "apps")).toThrow("GET STATUS entry without an AID");
});

test("legacy registry format with modules", () => {
  const files = parseLegacyEntries(fromHex("050102030405010002" + "080102030405060708" + "03AABBCC"), "load-files-and-modules");
  expect(files).toHaveLength(1);
  expect(files[0]!.modules.map(toHex)).toEqual(["0102030405060708", "AABBCC"]);
  const apps = parseLegacyEntries(fromHex("0501020304050704" + "05A00000000107" + "80"), "apps");
  expect(apps.map((a) => [toHex(a.aid), a.lifecycle, a.privileges, a.kind])).toEqual([
    ["0102030405", 0x07, 0x040000, "app"],
    ["A000000001", 0x07, 0x800000, "domain"],
  ]);
  expect(() => parseLegacyEntries(fromHex("0501020304"), "apps")).toThrow("truncated");
});

test("FCI: AID, maximum command data, recognition data", () => {
  const recognition = tlv(
    0x73,
    tlv(0x06, GP_OID, "01"),
    tlv(0x60, tlv(0x06, GP_OID, "02020101")),
    tlv(0x63, tlv(0x06, GP_OID, "03")),
    tlv(0x64, tlv(0x06, GP_OID, "040370")),
  );
  const fci = parseFci(
    fromHex(tlv(0x6f, tlv(0x84, "A000000151000000"), tlv(0xa5, recognition, tlv(0x9f6e, "129151008100"), tlv(0x9f65, "FF")))),
  );
  expect(toHex(fci.aid!)).toBe("A000000151000000");
  expect(fci.maxCommandData).toBe(255);
  expect(fci.recognition?.gpVersion).toBe("2.1.1");
  expect(fci.recognition?.scps).toEqual([{ scp: 3, i: 0x70 }]);
  expect(parseFci(new Uint8Array(0))).toEqual({});
});

test("card recognition data from GET DATA 0066", () => {
  const r = parseCardRecognition(
    fromHex(tlv(0x66, tlv(0x73, tlv(0x06, GP_OID, "01"), tlv(0x64, tlv(0x06, GP_OID, "040215"))))),
  );
  expect(r.scps).toEqual([{ scp: 2, i: 0x15 }]);
});

test("OIDs decode, multi-byte components included", () => {
  expect(decodeOid(fromHex("2A864886FC6B"))).toBe("1.2.840.114283");
});

test("CPLC with its header, 18 fields", () => {
  const body = "4790" + "5167" + "4791" + "2038" + "3400" + "0000" + "12345678" + "00".repeat(26);
  const cplc = parseCplc(fromHex("9F7F2A" + body));
  expect(cplc).toHaveLength(18);
  expect(cplc[0]).toEqual({ name: "ICFabricator", hex: "4790" });
  expect(cplc[6]).toEqual({ name: "ICSerialNumber", hex: "12345678" });
  expect(() => parseCplc(fromHex("9F7F0400000000"))).toThrow("CPLC has 4 bytes, expected 42");
});

test("key information: basic and extended formats", () => {
  const keys = parseKeyInformation(fromHex("E012C00401308810C00402308810C00403308810"));
  expect(keys).toEqual([
    { id: 1, version: 0x30, components: [{ type: 0x88, length: 16 }] },
    { id: 2, version: 0x30, components: [{ type: 0x88, length: 16 }] },
    { id: 3, version: 0x30, components: [{ type: 0x88, length: 16 }] },
  ]);
  const ext = parseKeyInformation(fromHex("E00CC00A0101FF88001001000100"));
  expect(ext[0]!.components).toEqual([{ type: 0x88, length: 16 }]);
});
