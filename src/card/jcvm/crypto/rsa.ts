/**
 * RSA as PKCS #1 v2.2 (RFC 8017) defines it, for JC API 3.0.5 Signature
 * ALG_RSA_*_PKCS1 and Cipher ALG_RSA_PKCS1 / ALG_RSA_PKCS1_OAEP /
 * ALG_RSA_NOPAD: the RSA primitives on any key form a card holds (n and an
 * exponent, or the CRT quintuple P, Q, DP1, DQ1, PQ), EMSA-PKCS1-v1_5,
 * RSAES-PKCS1-v1_5 and RSAES-OAEP with SHA-1 and MGF1-SHA-1 (the JC
 * ALG_RSA_PKCS1_OAEP). Paddings return undefined when the input is wrong,
 * so that the caller throws the exception the API names.
 */
import { createHash, randomBytes } from "node:crypto";
import { fromHex } from "../../../stack/bytes.ts";
import { modInv, modPow, toBig, toBytes } from "./bigint.ts";

/** A key as the RSA primitive uses it. */
export type RsaKey = { n: bigint; exp: bigint } | { crt: { p: bigint; q: bigint; dp: bigint; dq: bigint; qinv: bigint } };

/** The modulus of a key (for CRT keys, P·Q). */
export function modulusOf(key: RsaKey): bigint {
  return "n" in key ? key.n : key.crt.p * key.crt.q;
}

/** RSAEP / RSADP / RSASP1 / RSAVP1 (§5.1, §5.2): the primitive on `k`-byte blocks; undefined when the input is not below n. */
export function rsaPrimitive(key: RsaKey, input: Uint8Array, k: number): Uint8Array | undefined {
  const m = toBig(input);
  const n = modulusOf(key);
  if (m >= n) return undefined;
  if ("n" in key) return toBytes(modPow(m, key.exp, n), k);
  // §5.1.2 case 2.b: the Chinese remainder theorem.
  const { p, q, dp, dq, qinv } = key.crt;
  const m1 = modPow(m, dp, p);
  const m2 = modPow(m, dq, q);
  const h = (((m1 - m2) % p) + p) % p * qinv % p;
  return toBytes(m2 + h * q, k);
}

/** DigestInfo DER prefixes of EMSA-PKCS1-v1_5 (RFC 8017 §9.2 note 1), by node:crypto hash name. */
const DIGEST_INFO: Readonly<Record<string, string>> = {
  md5: "3020300c06082a864886f70d020505000410",
  sha1: "3021300906052b0e03021a05000414",
  ripemd160: "3021300906052b2403020105000414",
  sha224: "302d300d06096086480165030402040500041c",
  sha256: "3031300d060960864801650304020105000420",
  sha384: "3041300d060960864801650304020205000430",
  sha512: "3051300d060960864801650304020305000440",
};

/** EMSA-PKCS1-v1_5 (§9.2): 00 01 FF.. 00 DigestInfo; undefined when k is too short. */
export function emsaPkcs1(hashName: string, hash: Uint8Array, k: number): Uint8Array | undefined {
  const t = new Uint8Array([...fromHex(DIGEST_INFO[hashName]!), ...hash]);
  if (k < t.length + 11) return undefined;
  const em = new Uint8Array(k).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[k - t.length - 1] = 0x00;
  em.set(t, k - t.length);
  return em;
}

/** RSAES-PKCS1-v1_5 encoding (§7.2.1): 00 02 PS 00 M, PS at least 8 random non-zero bytes. */
export function pkcs1Pad(message: Uint8Array, k: number): Uint8Array | undefined {
  if (message.length > k - 11) return undefined;
  const ps = new Uint8Array(k - message.length - 3);
  for (let i = 0; i < ps.length; i++) {
    let b = 0;
    while (b === 0) b = randomBytes(1)[0]!;
    ps[i] = b;
  }
  return new Uint8Array([0x00, 0x02, ...ps, 0x00, ...message]);
}

/** RSAES-PKCS1-v1_5 decoding (§7.2.2 step 3). */
export function pkcs1Unpad(em: Uint8Array): Uint8Array | undefined {
  if (em[0] !== 0x00 || em[1] !== 0x02) return undefined;
  const sep = em.indexOf(0x00, 2);
  if (sep < 10) return undefined;
  return em.slice(sep + 1);
}

const SHA1_LEN = 20;
const EMPTY_LABEL_HASH = new Uint8Array(createHash("sha1").digest());

function mgf1(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 0, at = 0; at < length; counter++) {
    const c = new Uint8Array([counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff]);
    const block = new Uint8Array(createHash("sha1").update(seed).update(c).digest());
    out.set(block.subarray(0, Math.min(block.length, length - at)), at);
    at += block.length;
  }
  return out;
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((x, i) => x ^ b[i]!);
}

/** RSAES-OAEP encoding (§7.1.1 step 2) with SHA-1, MGF1-SHA-1 and an empty label. */
export function oaepPad(message: Uint8Array, k: number): Uint8Array | undefined {
  if (message.length > k - 2 * SHA1_LEN - 2) return undefined;
  const db = new Uint8Array(k - SHA1_LEN - 1);
  db.set(EMPTY_LABEL_HASH, 0);
  db[db.length - message.length - 1] = 0x01;
  db.set(message, db.length - message.length);
  const seed = new Uint8Array(randomBytes(SHA1_LEN));
  const maskedDb = xor(db, mgf1(seed, db.length));
  const maskedSeed = xor(seed, mgf1(maskedDb, SHA1_LEN));
  return new Uint8Array([0x00, ...maskedSeed, ...maskedDb]);
}

/** RSAES-OAEP decoding (§7.1.2 step 3). */
export function oaepUnpad(em: Uint8Array, k: number): Uint8Array | undefined {
  if (k < 2 * SHA1_LEN + 2 || em.length !== k || em[0] !== 0x00) return undefined;
  const maskedSeed = em.subarray(1, 1 + SHA1_LEN);
  const maskedDb = em.subarray(1 + SHA1_LEN);
  const seed = xor(maskedSeed, mgf1(maskedDb, SHA1_LEN));
  const db = xor(maskedDb, mgf1(seed, maskedDb.length));
  if (!db.subarray(0, SHA1_LEN).every((b, i) => b === EMPTY_LABEL_HASH[i])) return undefined;
  let i = SHA1_LEN;
  while (i < db.length && db[i] === 0x00) i++;
  if (db[i] !== 0x01) return undefined;
  return db.slice(i + 1);
}

/** A fresh key pair of `bits` (two primes from node:crypto, public exponent `e`); its CRT form and private exponent. */
export function generateRsa(bits: number, e: bigint, prime: (bits: number) => bigint): { n: bigint; d: bigint; p: bigint; q: bigint; dp: bigint; dq: bigint; qinv: bigint } {
  for (;;) {
    const p = prime(Math.ceil(bits / 2));
    const q = prime(Math.floor(bits / 2));
    if (p === q) continue;
    const n = p * q;
    if (n.toString(2).length !== bits) continue;
    const phi = (p - 1n) * (q - 1n);
    let d: bigint;
    try {
      d = modInv(e, phi);
    } catch {
      continue;
    }
    const [P, Q] = p > q ? [p, q] : [q, p];
    return { n, d, p: P, q: Q, dp: d % (P - 1n), dq: d % (Q - 1n), qinv: modInv(Q, P) };
  }
}
