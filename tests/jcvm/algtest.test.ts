/**
 * JCAlgTest (crocs-muni/JCAlgTest) on the JCVM, answering as the applet's
 * public source says it does on a card with exactly the algorithms the JCVM
 * implements (docs/jcvm.md):
 * - B0 E1: the version string ("1.7.4"; the supportOnly build of 1.7 says "1.7.0").
 * - B0 75 P1=class, data [algorithm, length (u2)]: TestSupportedModeSingle
 *   answers [P1, 00 when getInstance/buildKey succeeded else the
 *   CryptoException reason (03 NO_SUCH_ALGORITHM), FF].
 * Implemented since issue 16: RSA and EC FP keys, Signature (DES/AES MACs,
 * HMAC, RSA PKCS#1, ECDSA), Checksum, RSA ciphers; DSA, binary-field EC,
 * PSS and ISO 9796 stay NO_SUCH_ALGORITHM (03).
 * KeyAgreement (class 13) answers 00 whatever happens in 1.7.4: the applet's
 * own reporting bug, fixed in its 1.7.7 ("incorrect reporting for KeyAgreement").
 */
import { describe, test, expect } from "bun:test";
import { toHex } from "../../src/stack/bytes.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { fixture } from "../card/fixtures.ts";
import { apdu, installSequence, swOf } from "../card/helpers.ts";

async function algTest(name: string) {
  const card = createSimulatedCard({ open: true });
  const cap = fixture(name);
  for (const c of installSequence(cap)) expect(swOf(toHex(await card.process(c)))).toBe("9000");
  expect(await apdu(card, `00A404000A${toHex(cap.applets[0]!.aid)}`)).toBe("9000");
  return card;
}

const single = (cls: string, alg: string, length = "0000") => `B075${cls}0003${alg}${length}00`;

describe("AlgTest v1.7.4", () => {
  test("the version command answers '1.7.4'", async () => {
    const card = await algTest("jcalgtest_AlgTest_v1.7.4_jc222.cap");
    expect(await apdu(card, "B0E1000000")).toBe("312E372E349000");
    card.close();
  });

  test.each([
    ["Cipher ALG_DES_CBC_NOPAD", single("11", "01"), "1100FF"],
    ["Cipher ALG_DES_CBC_ISO9797_M1 (not implemented)", single("11", "02"), "1103FF"],
    ["Cipher ALG_AES_BLOCK_128_CBC_NOPAD", single("11", "0D"), "1100FF"],
    ["Cipher ALG_AES_BLOCK_128_ECB_NOPAD", single("11", "0E"), "1100FF"],
    ["Cipher ALG_RSA_PKCS1", single("11", "0A"), "1100FF"],
    ["Cipher ALG_RSA_NOPAD", single("11", "0C"), "1100FF"],
    ["Cipher ALG_RSA_PKCS1_OAEP", single("11", "0F"), "1100FF"],
    ["Cipher ALG_RSA_ISO9796 (not implemented)", single("11", "0B"), "1103FF"],
    ["Signature ALG_DES_MAC4_NOPAD", single("12", "01"), "1200FF"],
    ["Signature ALG_RSA_SHA_PKCS1", single("12", "0A"), "1200FF"],
    ["Signature ALG_AES_MAC_128_NOPAD", single("12", "12"), "1200FF"],
    ["Signature ALG_HMAC_SHA_256", single("12", "19"), "1200FF"],
    ["Signature ALG_ECDSA_SHA_256", single("12", "21"), "1200FF"],
    ["Signature ALG_RSA_SHA_PKCS1_PSS (not implemented)", single("12", "15"), "1203FF"],
    ["Signature ALG_DSA_SHA (not implemented)", single("12", "0E"), "1203FF"],
    ["MessageDigest ALG_SHA_256", single("15", "04"), "1500FF"],
    ["MessageDigest ALG_SHA3_512", single("15", "0B"), "1500FF"],
    ["MessageDigest algorithm 12 (none in 3.0.5)", single("15", "0C"), "1503FF"],
    ["RandomData ALG_SECURE_RANDOM", single("16", "02"), "1600FF"],
    ["KeyBuilder TYPE_AES 128", single("20", "0F", "0080"), "2000FF"],
    ["KeyBuilder TYPE_AES 256", single("20", "0F", "0100"), "2000FF"],
    ["KeyBuilder TYPE_DES 192 (3-key)", single("20", "03", "00C0"), "2000FF"],
    ["KeyBuilder TYPE_RSA_PUBLIC 1024", single("20", "04", "0400"), "2000FF"],
    ["KeyBuilder TYPE_RSA_CRT_PRIVATE 2048", single("20", "06", "0800"), "2000FF"],
    ["KeyBuilder TYPE_EC_FP_PRIVATE 256", single("20", "0C", "0100"), "2000FF"],
    ["KeyBuilder TYPE_EC_F2M_PUBLIC 163 (not implemented)", single("20", "09", "00A3"), "2003FF"],
    ["KeyBuilder TYPE_DSA_PUBLIC 1024 (not implemented)", single("20", "07", "0400"), "2003FF"],
    ["Checksum ALG_ISO3309_CRC16", single("17", "01"), "1700FF"],
    ["Checksum ALG_ISO3309_CRC32", single("17", "02"), "1700FF"],
    ["KeyAgreement ALG_EC_SVDP_DH (the applet reports 00, see above)", single("13", "01"), "1300FF"],
  ])("support of %s", async (_what, command, answer) => {
    const card = await algTest("jcalgtest_AlgTest_v1.7.4_jc222.cap");
    expect(await apdu(card, command)).toBe(`${answer}9000`);
    card.close();
  });

  test("an unknown instruction is 6D00 (the applet's own ISOException)", async () => {
    const card = await algTest("jcalgtest_AlgTest_v1.7.4_jc222.cap");
    expect(await apdu(card, "B0FF000000")).toBe("6D00");
    card.close();
  });
});

test("AlgTest v1.7 supportOnly (JC 2.1.2 build) answers its version '1.7.0'", async () => {
  const card = await algTest("jcalgtest_AlgTest_v1.7_supportOnly_jc212.cap");
  expect(await apdu(card, "B0E1000000")).toBe("312E372E309000");
  card.close();
});
