/** Byte layouts of the INSTALL variants, STORE DATA, DELETE key, public-key PUT KEY, logical channels, DELETE tokens. */
import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "../bytes.ts";
import { installForExtradition, installForPersonalization, installForRegistryUpdate } from "./install.ts";
import { parseStoreDataP1, splitDgis, storeDataCommands, storeDataP1 } from "./store-data.ts";
import { deleteKey, parsePublicKeyData, putPublicKey } from "./key-commands.ts";
import { basicCla, channelOfCla, claForChannel, manageChannelClose, manageChannelOpen, onChannel } from "./logical-channel.ts";
import { splitDeleteToken, withDeleteToken, withInstallToken } from "./token.ts";
import { deleteAid, getStatus } from "./commands.ts";
import { parseKeyInformation, keyTypeName } from "./key-info.ts";

const hex = (c: { toBytes(): Uint8Array }) => toHex(c.toBytes());

describe("INSTALL variants (GP 11.5.2.3)", () => {
  test("[for extradition]: SD | 00 | AID | 00 | 00 | token", () => {
    expect(hex(installForExtradition(fromHex("A000000151000000"), fromHex("D0D1D2D3D4D50101")))).toBe(
      "80E610001608A0000001510000000008D0D1D2D3D4D50101" + "000000" + "00",
    );
  });
  test("[for registry update] keeps privileges when none are given", () => {
    expect(hex(installForRegistryUpdate({ aid: fromHex("D0D1D2D3D4D50101") }))).toBe("80E640000E000008D0D1D2D3D4D50101000000" + "00");
    expect(hex(installForRegistryUpdate({ aid: fromHex("D0D1D2D3D4D50101"), privileges: 0x040000 }))).toBe("80E640000F000008D0D1D2D3D4D5010101040000" + "00");
  });
  test("[for personalization]", () => {
    expect(hex(installForPersonalization(fromHex("D0D1D2D3D4D50101")))).toBe("80E620000E000008D0D1D2D3D4D5010100000000");
  });
  test("a token replaces the empty token field", () => {
    const data = installForPersonalization(fromHex("D0D1D2D3D4D50101")).data;
    expect(toHex(withInstallToken(data, fromHex("AABB")))).toBe("000008D0D1D2D3D4D50101000002AABB");
  });
});

describe("STORE DATA (GP 11.11)", () => {
  test("P1 bits: last block, DGI / BER-TLV, encryption", () => {
    expect(storeDataP1(true, "dgi", "dek")).toBe(0xe8);
    expect(storeDataP1(false, "ber-tlv")).toBe(0x10);
    expect(parseStoreDataP1(0xe8)).toEqual({ last: true, format: "dgi", encryption: "dek" });
    expect(parseStoreDataP1(0x38)).toEqual({ last: false, format: "reserved", encryption: "application" });
  });
  test("blocks are numbered in P2 and only the last has b8", () => {
    const cmds = storeDataCommands([new Uint8Array(300)], { format: "dgi" });
    expect(cmds.map((c) => [c.p1, c.p2, c.data.length])).toEqual([[0x08, 0, 255], [0x88, 1, 45]]);
    expect(() => storeDataCommands([])).toThrow("at least one byte");
  });
  test("DGIs split, with the FF long length form", () => {
    const d = splitDgis(fromHex("0101020A0B" + "8000FF0003010203"));
    expect(d.map((x) => [x.tag, toHex(x.value)])).toEqual([[0x0101, "0A0B"], [0x8000, "010203"]]);
    expect(() => splitDgis(fromHex("010105AA"))).toThrow("declares 5 bytes");
  });
});

describe("keys", () => {
  test("DELETE key by version, by identifier, or both (GP 11.2.2.2)", () => {
    expect(hex(deleteKey({ version: 0x30 }))).toBe("80E4000003D2013000");
    expect(hex(deleteKey({ version: 0x30, id: 2 }))).toBe("80E4000006D00102D2013000");
    expect(() => deleteKey({})).toThrow("needs a key version");
  });
  test("public keys: RSA with BER lengths above 127 bytes, EC with the P-256 reference; they parse back", () => {
    const n = new Uint8Array(256).fill(0xab);
    const rsa = putPublicKey({ kind: "rsa", modulus: n, exponent: fromHex("010001") }, 0x73);
    expect(toHex(rsa.data.subarray(0, 5))).toBe("73A1820100");
    const back = parsePublicKeyData(rsa.data)!;
    expect(back.version).toBe(0x73);
    expect(back.key.kind === "rsa" && toHex(back.key.exponent)).toBe("010001");
    const point = new Uint8Array(65).fill(1);
    point[0] = 4;
    const ec = putPublicKey({ kind: "ec", point }, 0x70);
    expect(toHex(ec.data.subarray(ec.data.length - 5))).toBe("00F0010000");
    expect(parsePublicKeyData(ec.data)!.key.kind).toBe("ec");
    expect(parsePublicKeyData(fromHex("3088100102"))).toBeUndefined();
  });
  test("key information: AES-128/192/256 and public key components", () => {
    const keys = parseKeyInformation(fromHex("E012C00401308810C00402308818C00403308820"));
    expect(keys.map((k) => [k.id, k.version, keyTypeName(k.components[0]!.type), k.components[0]!.length])).toEqual([
      [1, 0x30, "AES", 16],
      [2, 0x30, "AES", 24],
      [3, 0x30, "AES", 32],
    ]);
  });
});

describe("logical channels (ISO 7816-4 5.4.1)", () => {
  test("class bytes for channels 0-3 and 4-19, with and without SM", () => {
    expect([0, 1, 3].map((c) => claForChannel(0x00, c))).toEqual([0x00, 0x01, 0x03]);
    expect(claForChannel(0x84, 2)).toBe(0x86);
    expect(claForChannel(0x80, 4)).toBe(0xc0);
    expect(claForChannel(0x84, 19)).toBe(0xef);
    expect(claForChannel(0x00, 5)).toBe(0x41);
    expect(() => claForChannel(0x00, 20)).toThrow("not 0..19");
    for (let ch = 0; ch <= 19; ch++) {
      for (const cla of [0x00, 0x80, 0x84, 0x04]) {
        const c = claForChannel(cla, ch);
        expect(channelOfCla(c).channel).toBe(ch);
        expect(basicCla(c)).toBe(cla & 0x84);
      }
    }
  });
  test("MANAGE CHANNEL open and close", () => {
    expect(hex(manageChannelOpen())).toBe("0070000001");
    expect(hex(manageChannelOpen(0, 5))).toBe("00700005");
    expect(hex(manageChannelClose(5))).toBe("41708005");
    expect(hex(onChannel(getStatus("apps"), 2))).toBe("82F24002024F0000");
  });
});

describe("DELETE tokens (9E, GP 11.2.2.3)", () => {
  test("the token is appended as 9E and split off again", () => {
    const data = withDeleteToken(deleteAid(fromHex("D0D1D2D3D4D501")).data, fromHex("0102"));
    expect(toHex(data)).toBe("4F07D0D1D2D3D4D5019E020102");
    const s = splitDeleteToken(data);
    expect(toHex(s.body)).toBe("4F07D0D1D2D3D4D501");
    expect(toHex(s.token!)).toBe("0102");
    expect(splitDeleteToken(fromHex("4F01AA")).token).toBeUndefined();
  });
});
