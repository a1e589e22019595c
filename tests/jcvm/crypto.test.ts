/**
 * javacard.security and javacardx.crypto on the JCVM against an independent
 * implementation: applets written in the assembler build keys, sign, verify,
 * agree, encrypt and checksum inside process(); python3-cryptography
 * (Debian python3-cryptography) makes the keys, messages and expected
 * answers, and checks what the card made (ECDSA and RSA signatures of keys
 * the card generated, ECDH secrets). With CI=true a missing
 * python3-cryptography fails instead of skipping.
 */
import { describe, test, expect } from "bun:test";
import { spawnSync } from "node:child_process";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { assemble, PROCESS_SKIPS_SELECT } from "../../src/stack/cap/writer/assembler.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { apdu, installSequence, swOf } from "../card/helpers.ts";

const PYTHON = ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import cryptography"]).status === 0);
const haveCrypto = PYTHON !== undefined;
if (!haveCrypto && process.env.CI === "true") throw new Error("python3-cryptography is missing (apt-get install python3-cryptography)");

/** Run a Python snippet with JSON in and out. */
function py(script: string, input: unknown): Record<string, string> {
  const r = spawnSync(PYTHON!, ["-c", script], { input: JSON.stringify(input), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, string>;
}

const AID = "A0000006472F000501";
const [FW, SEC, CRYPTOX] = [0x80, 0x82, 0x83];
const ENTRIES: [string, number[]][] = [
  ["getBuffer", [3, FW, 10, 1]],
  ["setIncomingAndReceive", [3, FW, 10, 6]],
  ["setOutgoingAndSend", [3, FW, 10, 8]],
  ["KeyPair", [1, SEC, 16, 0]],
  ["KeyPair_init", [6, SEC, 16, 0]],
  ["genKeyPair", [3, SEC, 16, 1]],
  ["getPrivate", [3, SEC, 16, 2]],
  ["getPublic", [3, SEC, 16, 3]],
  ["buildKey", [6, SEC, 13, 0]],
  ["Signature_getInstance", [6, SEC, 15, 0]],
  ["sig_init", [3, SEC, 15, 3]],
  ["sign", [3, SEC, 15, 5]],
  ["verify", [3, SEC, 15, 7]],
  ["KeyAgreement_getInstance", [6, SEC, 22, 0]],
  ["ka_init", [3, SEC, 22, 1]],
  ["generateSecret", [3, SEC, 22, 3]],
  ["Checksum_getInstance", [6, SEC, 21, 0]],
  ["crc_doFinal", [3, SEC, 21, 3]],
  ["Cipher_getInstance", [6, CRYPTOX, 1, 0]],
  ["cipher_init", [3, CRYPTOX, 1, 3]],
  ["cipher_doFinal", [3, CRYPTOX, 1, 1]],
  ["ECPublicKey", [1, SEC, 19, 0]],
  ["RSAPublicKey", [1, SEC, 9, 0]],
  ["RSAPrivateCrtKey", [1, SEC, 7, 0]],
  ["HMACKey", [1, SEC, 23, 0]],
  ["DESKey", [1, SEC, 10, 0]],
];
const CONSTANTS = Object.fromEntries(ENTRIES.map(([name], i) => [name, 5 + i]));
const IMPORTS = [
  { aid: fromHex("A0000000620101"), major: 1, minor: 2 },
  { aid: fromHex("A0000000620001"), major: 1, minor: 0 },
  { aid: fromHex("A0000000620102"), major: 1, minor: 2 },
  { aid: fromHex("A0000000620201"), major: 1, minor: 2 },
];

/** process(): skip SELECT, receive the data (its length in local 3, the buffer in local 2), then `body`. */
async function run(body: string, command: string): Promise<string> {
  const code = `${PROCESS_SKIPS_SELECT}
  aload_1
  invokevirtual #setIncomingAndReceive
  sstore_3
${body}
  return
`;
  const cap = parseLoadFile(
    writeCap({
      packageAid: fromHex("A0000006472F0005"),
      packageName: "test.crypto",
      applets: [{ aid: fromHex(AID), className: "Crypto" }],
      imports: IMPORTS,
      process: { maxStack: 8, maxLocals: 6, code: assemble(code, CONSTANTS) },
      constants: ENTRIES.map(([, bytes]) => Uint8Array.from(bytes)),
    }),
  );
  const card = createSimulatedCard({ open: true });
  try {
    for (const c of installSequence(cap)) expect(swOf(toHex(await card.process(c)))).toBe("9000");
    expect(await apdu(card, `00A4040009${AID}`)).toBe("9000");
    return await apdu(card, command);
  } finally {
    card.close();
  }
}

const lc = (data: string) => (data.length / 2).toString(16).toUpperCase().padStart(2, "0");
const command = (data: string) => `80010000${lc(data)}${data}00`;

/** A generated key pair in local 4: new KeyPair(alg, bits).genKeyPair(). */
const keyPair = (alg: number, bits: number) => `
  new #KeyPair
  dup
  bspush ${alg}
  sspush ${bits}
  invokespecial #KeyPair_init
  astore 4
  aload 4
  invokevirtual #genKeyPair
`;

/** Send buffer[0 .. 0 + length in local 6 + `extra`). */
const sendLocal6 = (extra: number) => `
  aload_1
  sconst_0
  sspush ${extra}
  sload 6
  sadd
  invokevirtual #setOutgoingAndSend
`;

const MESSAGE = "4A617661204361726420332E302E3521"; // 16 bytes

describe.if(haveCrypto)("javacard.security against python3-cryptography", () => {
  test("ECDSA SHA-256 on P-256: the card's key pair signs, python verifies", async () => {
    const out = await run(
      `${keyPair(5, 256)}
  bspush 33
  sconst_0
  invokestatic #Signature_getInstance
  astore 5
  aload 5
  aload 4
  invokevirtual #getPrivate
  sconst_1
  invokevirtual #sig_init
  aload 5
  aload_2
  bspush 5
  sload_3
  aload_2
  bspush 65
  invokevirtual #sign
  sstore 6
  aload 4
  invokevirtual #getPublic
  aload_2
  sconst_0
  invokeinterface 3 #ECPublicKey 19
  pop
${sendLocal6(65)}`,
      command(MESSAGE),
    );
    expect(swOf(out)).toBe("9000");
    const body = out.slice(0, -4);
    const checked = py(
      `import json,sys
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import hashes
d=json.load(sys.stdin)
pub=ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), bytes.fromhex(d["w"]))
try:
  pub.verify(bytes.fromhex(d["sig"]), bytes.fromhex(d["msg"]), ec.ECDSA(hashes.SHA256())); ok="yes"
except Exception as e: ok="no"
try:
  pub.verify(bytes.fromhex(d["sig"]), bytes.fromhex(d["msg"])[::-1], ec.ECDSA(hashes.SHA256())); bad="accepted"
except Exception: bad="rejected"
print(json.dumps({"ok":ok,"bad":bad}))`,
      { w: body.slice(0, 130), sig: body.slice(130), msg: MESSAGE },
    );
    expect(checked).toEqual({ ok: "yes", bad: "rejected" });
  });

  test("ECDSA SHA-256 verify: python's signature is accepted, a changed message is not", async () => {
    const v = py(
      `import json,sys
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import hashes, serialization
k=ec.derive_private_key(0x1234567890ABCDEF1234567890ABCDEF1234567890ABCDEF1234567890ABCDEF, ec.SECP256R1())
m=bytes.fromhex(json.load(sys.stdin)["msg"])
w=k.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
print(json.dumps({"w":w.hex(),"sig":k.sign(m, ec.ECDSA(hashes.SHA256())).hex()}))`,
      { msg: MESSAGE },
    );
    const body = `${keyPair(5, 256)}
  aload 4
  invokevirtual #getPublic
  astore 5
  aload 5
  aload_2
  bspush 5
  bspush 65
  invokeinterface 4 #ECPublicKey 18
  bspush 33
  sconst_0
  invokestatic #Signature_getInstance
  astore 6
  aload 6
  aload 5
  sconst_2
  invokevirtual #sig_init
  aload_2
  sconst_0
  aload 6
  aload_2
  bspush 70
  bspush 16
  aload_2
  bspush 86
  sload_3
  bspush 81
  ssub
  invokevirtual #verify
  bastore
  aload_1
  sconst_0
  sconst_1
  invokevirtual #setOutgoingAndSend`;
    expect(await run(body, command(`${v.w}${MESSAGE}${v.sig}`))).toBe("019000");
    const changed = `${MESSAGE.slice(0, -2)}22`;
    expect(await run(body, command(`${v.w}${changed}${v.sig}`))).toBe("009000");
  });

  test("ECDH (ALG_EC_SVDP_DH_PLAIN) on P-256: the card's secret is python's", async () => {
    const peer = py(
      `import json,sys
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import serialization
k=ec.derive_private_key(0x0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A69788796A5B4C3D2E1F0, ec.SECP256R1())
print(json.dumps({"w":k.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint).hex()}))`,
      {},
    );
    const out = await run(
      `${keyPair(5, 256)}
  sconst_3
  sconst_0
  invokestatic #KeyAgreement_getInstance
  astore 5
  aload 5
  aload 4
  invokevirtual #getPrivate
  invokevirtual #ka_init
  aload 5
  aload_2
  bspush 5
  sload_3
  aload_2
  bspush 65
  invokevirtual #generateSecret
  sstore 6
  aload 4
  invokevirtual #getPublic
  aload_2
  sconst_0
  invokeinterface 3 #ECPublicKey 19
  pop
${sendLocal6(65)}`,
      command(peer.w!),
    );
    const body = out.slice(0, -4);
    expect(body.length).toBe(2 * (65 + 32));
    const expected = py(
      `import json,sys
from cryptography.hazmat.primitives.asymmetric import ec
d=json.load(sys.stdin)
k=ec.derive_private_key(0x0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A69788796A5B4C3D2E1F0, ec.SECP256R1())
pub=ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), bytes.fromhex(d["w"]))
print(json.dumps({"z":k.exchange(ec.ECDH(), pub).hex().upper()}))`,
      { w: body.slice(0, 130) },
    );
    expect(body.slice(130)).toBe(expected.z!);
  });

  test("RSA 1024 CRT key pair: the card signs with SHA-256 PKCS#1 v1.5, python verifies with (n, 65537)", async () => {
    const out = await run(
      `${keyPair(2, 1024)}
  bspush 40
  sconst_0
  invokestatic #Signature_getInstance
  astore 5
  aload 5
  aload 4
  invokevirtual #getPrivate
  sconst_1
  invokevirtual #sig_init
  aload 5
  aload_2
  bspush 5
  sload_3
  aload_2
  sspush 128
  invokevirtual #sign
  sstore 6
  aload 4
  invokevirtual #getPublic
  aload_2
  sconst_0
  invokeinterface 3 #RSAPublicKey 5
  pop
${sendLocal6(128)}`,
      command(MESSAGE),
    );
    expect(swOf(out)).toBe("9000");
    const body = out.slice(0, -4);
    const checked = py(
      `import json,sys
from cryptography.hazmat.primitives.asymmetric import rsa, padding
from cryptography.hazmat.primitives import hashes
d=json.load(sys.stdin)
pub=rsa.RSAPublicNumbers(65537, int(d["n"],16)).public_key()
try:
  pub.verify(bytes.fromhex(d["sig"]), bytes.fromhex(d["msg"]), padding.PKCS1v15(), hashes.SHA256()); ok="yes"
except Exception: ok="no"
print(json.dumps({"ok":ok, "bits":str(pub.key_size)}))`,
      { n: body.slice(0, 256), sig: body.slice(256), msg: MESSAGE },
    );
    expect(checked).toEqual({ ok: "yes", bits: "1024" });
  });

  /** An RSA 512 CRT key from the command (P, Q, DP1, DQ1, PQ: 32 bytes each) in local 4. */
  const crtKey = `
  bspush 6
  sspush 512
  sconst_0
  invokestatic #buildKey
  astore 4
${[11, 13, 9, 10, 12] // setP, setQ, setDP1, setDQ1, setPQ
  .map((token, i) => `  aload 4\n  aload_2\n  sspush ${5 + 32 * i}\n  bspush 32\n  invokeinterface 4 #RSAPrivateCrtKey ${token}`)
  .join("\n")}`;

  const RSA_VECTORS = `import json,sys
from cryptography.hazmat.primitives.asymmetric import rsa, padding
from cryptography.hazmat.primitives import hashes
k=rsa.generate_private_key(65537, 512)
n=k.private_numbers()
h=lambda v: v.to_bytes(32,"big").hex()
msg=bytes.fromhex(json.load(sys.stdin)["msg"])
pub=k.public_key()
print(json.dumps({"crt":h(n.p)+h(n.q)+h(n.dmp1)+h(n.dmq1)+h(n.iqmp),
  "sig":k.sign(msg, padding.PKCS1v15(), hashes.SHA256()).hex().upper(),
  "oaep":pub.encrypt(msg, padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)).hex(),
  "pkcs1":pub.encrypt(msg, padding.PKCS1v15()).hex()}))`;

  test("RSA PKCS#1 v1.5 signature with a CRT key from python: the very same bytes", async () => {
    const v = py(RSA_VECTORS, { msg: MESSAGE });
    const out = await run(
      `${crtKey}
  bspush 40
  sconst_0
  invokestatic #Signature_getInstance
  astore 5
  aload 5
  aload 4
  sconst_1
  invokevirtual #sig_init
  aload 5
  aload_2
  sspush 165
  sload_3
  sspush 160
  ssub
  aload_2
  sconst_0
  invokevirtual #sign
  sstore 6
${sendLocal6(0)}`,
      command(`${v.crt}${MESSAGE}`),
    );
    expect(out).toBe(`${v.sig}9000`);
  });

  test.each([
    ["ALG_RSA_PKCS1_OAEP", 15, "oaep"],
    ["ALG_RSA_PKCS1", 10, "pkcs1"],
  ])("Cipher %s decrypts what python encrypted", async (_name, alg, field) => {
    const v = py(RSA_VECTORS, { msg: MESSAGE });
    const decrypt = `${crtKey}
  bspush ${alg}
  sconst_0
  invokestatic #Cipher_getInstance
  astore 5
  aload 5
  aload 4
  sconst_1
  invokevirtual #cipher_init
  aload 5
  aload_2
  sspush 165
  sload_3
  sspush 160
  ssub
  aload_2
  sconst_0
  invokevirtual #cipher_doFinal
  sstore 6
${sendLocal6(0)}`;
    expect(await run(decrypt, command(`${v.crt}${v[field]}`))).toBe(`${MESSAGE}9000`);
    // A ciphertext with one bit changed fails its padding check: CryptoException.ILLEGAL_USE (uncaught: 6F00).
    const bad = v[field]!.replace(/^(..)/, (b) => ((parseInt(b, 16) ^ 1) & 0xff).toString(16).padStart(2, "0"));
    expect(await run(decrypt, command(`${v.crt}${bad}`))).toBe("6F00");
  });

  const macVectors = py(
    `import json,sys,hmac,hashlib,binascii
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
d=json.load(sys.stdin); m=bytes.fromhex(d["msg"]); k=bytes.fromhex(d["key"])
def cbc(key, data):
  e=Cipher(algorithms.TripleDES(key), modes.CBC(bytes(8))).encryptor(); return (e.update(data)+e.finalize())[-8:]
pad=m+b"\\x80"+bytes((-len(m)-1)%8)
# ISO 9797-1 MAC algorithm 3: single DES (K1 three times) over all blocks, then decrypt K2 and encrypt K1 on the last
k1=k[:8]*3; k2=k[8:16]*3
e=Cipher(algorithms.TripleDES(k1), modes.CBC(bytes(8))).encryptor(); chain=(e.update(pad)+e.finalize())[-8:]
dd=Cipher(algorithms.TripleDES(k2), modes.ECB()).decryptor(); t=dd.update(chain)+dd.finalize()
ee=Cipher(algorithms.TripleDES(k1), modes.ECB()).encryptor(); alg3=ee.update(t)+ee.finalize()
rev=lambda b: bytes(int(f"{x:08b}"[::-1],2) for x in b)
# MSB first with init 0 and the result complemented = the bit-reversal of zlib's reflected CRC-32 over bit-reversed bytes from a zero register
crc32=int(f"{binascii.crc32(rev(m), 0xFFFFFFFF):032b}"[::-1], 2)
print(json.dumps({"hmac":hmac.new(bytes.fromhex(d["hkey"]), m, hashlib.sha256).hexdigest().upper(),
  "m2":cbc(k, pad).hex().upper(), "alg3":alg3.hex().upper(),
  "crc16":f"{(~binascii.crc_hqx(m,0))&0xFFFF:04X}", "crc32":f"{crc32:08X}"}))`,
    { msg: MESSAGE, key: "404142434445464748494A4B4C4D4E4F", hkey: "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F" },
  );

  test("HMAC-SHA256 (ALG_HMAC_SHA_256, a 32-byte HMACKey)", async () => {
    const out = await run(
      `  bspush 21
  sspush 256
  sconst_0
  invokestatic #buildKey
  astore 4
  aload 4
  aload_2
  bspush 5
  bspush 32
  invokeinterface 4 #HMACKey 4
  bspush 25
  sconst_0
  invokestatic #Signature_getInstance
  astore 5
  aload 5
  aload 4
  sconst_1
  invokevirtual #sig_init
  aload 5
  aload_2
  bspush 37
  sload_3
  bspush 32
  ssub
  aload_2
  sconst_0
  invokevirtual #sign
  sstore 6
${sendLocal6(0)}`,
      command(`000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F${MESSAGE}`),
    );
    expect(out).toBe(`${macVectors.hmac}9000`);
  });

  test.each([
    ["ALG_DES_MAC8_ISO9797_M2 (2-key 3DES CBC-MAC)", 6, "m2"],
    ["ALG_DES_MAC8_ISO9797_1_M2_ALG3 (retail MAC)", 20, "alg3"],
  ])("%s", async (_name, alg, field) => {
    const out = await run(
      `  sconst_3
  sspush 128
  sconst_0
  invokestatic #buildKey
  astore 4
  aload 4
  aload_2
  bspush 5
  invokeinterface 3 #DESKey 5
  bspush ${alg}
  sconst_0
  invokestatic #Signature_getInstance
  astore 5
  aload 5
  aload 4
  sconst_1
  invokevirtual #sig_init
  aload 5
  aload_2
  bspush 21
  sload_3
  bspush 16
  ssub
  aload_2
  sconst_0
  invokevirtual #sign
  sstore 6
${sendLocal6(0)}`,
      command(`404142434445464748494A4B4C4D4E4F${MESSAGE}`),
    );
    expect(out).toBe(`${macVectors[field]}9000`);
  });

  test.each([
    ["ALG_ISO3309_CRC16", 1, "crc16"],
    ["ALG_ISO3309_CRC32", 2, "crc32"],
  ])("Checksum %s", async (_name, alg, field) => {
    const out = await run(
      `  bspush ${alg}
  sconst_0
  invokestatic #Checksum_getInstance
  astore 4
  aload 4
  aload_2
  bspush 5
  sload_3
  aload_2
  sconst_0
  invokevirtual #crc_doFinal
  sstore 6
${sendLocal6(0)}`,
      command(MESSAGE),
    );
    expect(out).toBe(`${macVectors[field]}9000`);
  });

  test("an algorithm the card lacks: Signature.getInstance(ALG_DSA_SHA) throws NO_SUCH_ALGORITHM (uncaught: 6F00)", async () => {
    expect(await run(`  bspush 14\n  sconst_0\n  invokestatic #Signature_getInstance\n  pop`, command(MESSAGE))).toBe("6F00");
  });
});
