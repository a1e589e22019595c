import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "../bytes.ts";
import { aesCbcDecrypt, aesCbcEncrypt, aesEcbDecrypt, aesEcbEncrypt } from "./aes.ts";
import { aesCmac } from "./cmac.ts";
import { retailMac, tdesMac } from "./des-mac.ts";
import { desEcbDecrypt, desEcbEncrypt, tdesCbcDecrypt, tdesCbcEncrypt, tdesEcbDecrypt, tdesEcbEncrypt } from "./des.ts";
import { kcvHex } from "./kcv.ts";
import { pad80, unpad80 } from "./padding.ts";

const h = fromHex;

describe("DES and 3DES", () => {
  test("single DES known answer (FIPS 81 'Now is t')", () => {
    const key = h("0123456789ABCDEF");
    const ct = desEcbEncrypt(key, h("4E6F772069732074"));
    expect(toHex(ct)).toBe("3FA40E8A984D4815");
    expect(toHex(desEcbDecrypt(key, ct))).toBe("4E6F772069732074");
  });

  test("3DES with K1=K2=K3 equals single DES; 16-byte keys mean K1 K2 K1", () => {
    const k = h("0123456789ABCDEF");
    const block = h("4E6F772069732074");
    expect(toHex(tdesEcbEncrypt(h("0123456789ABCDEF0123456789ABCDEF"), block))).toBe("3FA40E8A984D4815");
    const k2 = h("404142434445464748494A4B4C4D4E4F");
    const k3 = h("404142434445464748494A4B4C4D4E4F4041424344454647");
    expect(toHex(tdesEcbEncrypt(k2, block))).toBe(toHex(tdesEcbEncrypt(k3, block)));
    expect(toHex(desEcbEncrypt(k, block))).toBe("3FA40E8A984D4815");
  });

  test("3DES CBC round trip and chaining", () => {
    const key = h("404142434445464748494A4B4C4D4E4F");
    const data = h("00112233445566778899AABBCCDDEEFF");
    const iv = h("0102030405060708");
    const ct = tdesCbcEncrypt(key, data, iv);
    expect(toHex(tdesCbcDecrypt(key, ct, iv))).toBe(toHex(data));
    // Second block of CBC = ECB(first ciphertext block xor second plaintext block)
    const x = new Uint8Array(8).map((_, i) => ct[i]! ^ data[8 + i]!);
    expect(toHex(ct.subarray(8))).toBe(toHex(tdesEcbEncrypt(key, x)));
    expect(toHex(tdesEcbDecrypt(key, tdesEcbEncrypt(key, data)))).toBe(toHex(data));
  });

  test("rejects partial blocks and bad key sizes", () => {
    expect(() => tdesEcbEncrypt(h("404142434445464748494A4B4C4D4E4F"), h("0011"))).toThrow(RangeError);
    expect(() => tdesEcbEncrypt(h("0011223344556677"), h("0011223344556677"))).toThrow(RangeError);
  });
});

describe("AES (FIPS 197 appendix C)", () => {
  const pt = h("00112233445566778899AABBCCDDEEFF");
  test.each([
    ["000102030405060708090A0B0C0D0E0F", "69C4E0D86A7B0430D8CDB78070B4C55A"],
    ["000102030405060708090A0B0C0D0E0F1011121314151617", "DDA97CA4864CDFE06EAF70A0EC0D7191"],
    ["000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "8EA2B7CA516745BFEAFC49904B496089"],
  ])("key %s", (key, ct) => {
    expect(toHex(aesEcbEncrypt(h(key), pt))).toBe(ct);
    expect(toHex(aesEcbDecrypt(h(key), h(ct)))).toBe(toHex(pt));
    const iv = h("000102030405060708090A0B0C0D0E0F");
    expect(toHex(aesCbcDecrypt(h(key), aesCbcEncrypt(h(key), pt, iv), iv))).toBe(toHex(pt));
  });
});

describe("AES-CMAC (NIST SP 800-38B appendix D, RFC 4493)", () => {
  const msg = h(
    "6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411E5FBC1191A0A52EFF69F2445DF4F9B17AD2B417BE66C3710",
  );
  const cases: [string, string[]][] = [
    ["2B7E151628AED2A6ABF7158809CF4F3C", [
      "BB1D6929E95937287FA37D129B756746", "070A16B46B4D4144F79BDD9DD04A287C",
      "DFA66747DE9AE63030CA32611497C827", "51F0BEBF7E3B9D92FC49741779363CFE"]],
    ["8E73B0F7DA0E6452C810F32B809079E562F8EAD2522C6B7B", [
      "D17DDF46ADAACDE531CAC483DE7A9367", "9E99A7BF31E710900662F65E617C5184",
      "8A1DE5BE2EB31AAD089A82E6EE908B0E", "A1D5DF0EED790F794D77589659F39A11"]],
    ["603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4", [
      "028962F61B7BF89EFC6B551F4667D983", "28A7023F452E8F82BD4BF28D8C37C35C",
      "AAF3D8F1DE5640C232F5B169B9C911E6", "E1992190549F6ED5696A2C056C315410"]],
  ];
  for (const [key, tags] of cases) {
    test.each([0, 16, 40, 64].map((n, i) => [n, tags[i]!] as const))(`AES-${key.length * 4} over %i bytes`, (n, tag) => {
      expect(toHex(aesCmac(h(key), msg.subarray(0, n)))).toBe(tag);
    });
  }
});

describe("DES MACs", () => {
  // ICAO Doc 9303 part 11 appendix D.3 (BAC worked example): ISO 9797-1
  // MAC algorithm 3 with padding method 2 and a zero ICV.
  const kmac = h("7962D9ECE03D1ACD4C76089DCE131543");
  test("retail MAC: ICAO 9303 MIFD", () => {
    const eifd = h("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2");
    expect(toHex(retailMac(kmac, eifd))).toBe("5F1448EEA8AD90A7");
  });
  test("retail MAC: ICAO 9303 MIC", () => {
    const eic = h("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F");
    expect(toHex(retailMac(kmac, eic))).toBe("2F2D235D074D7449");
  });
  test("retail MAC of one block equals the 3DES MAC; an ICV changes it", () => {
    const key = h("404142434445464748494A4B4C4D4E4F");
    const d = h("01020304");
    expect(toHex(retailMac(key, d))).toBe(toHex(tdesMac(key, d)));
    expect(toHex(retailMac(key, d, h("0000000000000001")))).not.toBe(toHex(retailMac(key, d)));
  });
  test("full 3DES MAC is the last block of 3DES-CBC over the padded data", () => {
    const key = h("404142434445464748494A4B4C4D4E4F");
    const d = h("000102030405060708090A0B0C0D0E0F10");
    const ct = tdesCbcEncrypt(key, pad80(d, 8));
    expect(toHex(tdesMac(key, d))).toBe(toHex(ct.subarray(16)));
  });
});

describe("padding and KCVs", () => {
  test("method 2 padding always adds 80", () => {
    expect(toHex(pad80(h("0102"), 8))).toBe("0102800000000000");
    expect(toHex(pad80(h("0102030405060708"), 8))).toBe("01020304050607088000000000000000");
    expect(toHex(unpad80(h("0102800000000000")))).toBe("0102");
    expect(() => unpad80(h("0102000000000000"))).toThrow("padding");
    expect(() => unpad80(new Uint8Array(0))).toThrow("padding");
  });
  test("default key KCVs (REFERENCE.md section 4)", () => {
    const key = h("404142434445464748494A4B4C4D4E4F");
    expect(kcvHex(key, "3DES")).toBe("8BAF47");
    expect(kcvHex(key, "AES")).toBe("504A77");
  });
});
