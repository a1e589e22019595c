/**
 * The card's prime-field curve arithmetic (src/card/jcvm/crypto/ec.ts)
 * against OpenSSL on curves node:crypto under Bun does not have: ECDSA
 * signatures OpenSSL makes on secp160r1 (an order longer than the field,
 * so the hash is cut to 161 bits) verify, and ECDH gives OpenSSL's secret;
 * compressed points on P-224 (p ≡ 1 mod 4: Tonelli-Shanks) decompress to
 * the points they came from. With CI=true a missing openssl fails.
 */
import { describe, test, expect } from "bun:test";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { toBig } from "../../src/card/jcvm/crypto/bigint.ts";
import { DEFAULT_CURVES } from "../../src/card/jcvm/crypto/curves.ts";
import { decodePoint, ecdsaSign, ecdsaVerify, encodePoint, multiply, sharedPoint } from "../../src/card/jcvm/crypto/ec.ts";
import { ecdsaDer, parseEcdsaDer } from "../../src/card/jcvm/crypto/ecdsa-der.ts";

const haveOpenssl = spawnSync("openssl", ["version"]).status === 0;
if (!haveOpenssl && process.env.CI === "true") throw new Error("openssl is missing (apt-get install openssl)");

function openssl(args: string[], input?: Uint8Array): Uint8Array {
  const r = spawnSync("openssl", args, input ? { input } : {});
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr.toString()}`);
  return new Uint8Array(r.stdout);
}

/** The private scalar and public point of an EC key file, from `openssl ec -text`. */
function keyParts(pem: string): { d: bigint; w: Uint8Array } {
  const text = new TextDecoder().decode(openssl(["ec", "-in", pem, "-text", "-noout"]));
  const block = (label: string) => {
    const m = new RegExp(`${label}:\\n((?:\\s+[0-9a-f:]+\\n)+)`).exec(text);
    if (!m) throw new Error(`no ${label} in openssl's output`);
    return m[1]!.replace(/[\s:]/g, "");
  };
  return { d: toBig(fromHex(block("priv"))), w: fromHex(block("pub")) };
}

describe.if(haveOpenssl)("EC arithmetic against OpenSSL", () => {
  const c = DEFAULT_CURVES[160]!;

  test("secp160r1: OpenSSL's ECDSA-SHA1 signatures verify, and a changed message does not", () => {
    const dir = mkdtempSync(join(tmpdir(), "webcard-ec-"));
    try {
      const key = join(dir, "k.pem");
      openssl(["ecparam", "-name", "secp160r1", "-genkey", "-noout", "-out", key]);
      const { w } = keyParts(key);
      const q = decodePoint(c, w)!;
      expect(q).toBeDefined();
      for (let i = 0; i < 4; i++) {
        const msg = new TextEncoder().encode(`message ${i}`);
        writeFileSync(join(dir, "m"), msg);
        const rs = parseEcdsaDer(openssl(["dgst", "-sha1", "-sign", key, join(dir, "m")]))!;
        expect(rs).toBeDefined();
        const hash = new Uint8Array(createHash("sha1").update(msg).digest());
        expect(ecdsaVerify(c, q, hash, rs[0], rs[1])).toBe(true);
        const other = new Uint8Array(createHash("sha1").update(`${i}`).digest());
        expect(ecdsaVerify(c, q, other, rs[0], rs[1])).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("secp160r1: our signature verifies with OpenSSL", () => {
    const dir = mkdtempSync(join(tmpdir(), "webcard-ec-"));
    try {
      const key = join(dir, "k.pem");
      openssl(["ecparam", "-name", "secp160r1", "-genkey", "-noout", "-out", key]);
      openssl(["ec", "-in", key, "-pubout", "-out", join(dir, "pub.pem")]);
      const { d } = keyParts(key);
      const msg = new TextEncoder().encode("signed by the card");
      writeFileSync(join(dir, "m"), msg);
      const [r, s] = ecdsaSign(c, d, new Uint8Array(createHash("sha1").update(msg).digest()));
      writeFileSync(join(dir, "sig"), ecdsaDer(r, s));
      const out = new TextDecoder().decode(openssl(["dgst", "-sha1", "-verify", join(dir, "pub.pem"), "-signature", join(dir, "sig"), join(dir, "m")]));
      expect(out.trim()).toBe("Verified OK");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("secp160r1: ECDH gives OpenSSL's shared secret", () => {
    const dir = mkdtempSync(join(tmpdir(), "webcard-ec-"));
    try {
      const [a, b] = [join(dir, "a.pem"), join(dir, "b.pem")];
      for (const k of [a, b]) openssl(["ecparam", "-name", "secp160r1", "-genkey", "-noout", "-out", k]);
      openssl(["ec", "-in", b, "-pubout", "-out", join(dir, "b.pub")]);
      const expected = openssl(["pkeyutl", "-derive", "-inkey", a, "-peerkey", join(dir, "b.pub")]);
      const { d } = keyParts(a);
      const z = sharedPoint(c, d, decodePoint(c, keyParts(b).w)!, false)!;
      expect(toHex(encodePoint(c, z).subarray(1, 21))).toBe(toHex(expected));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("P-224: compressed points decompress (p = 1 mod 4), both parities", () => {
    const p224 = DEFAULT_CURVES[224]!;
    for (const k of [2n, 3n, 0x1234567890abcdefn]) {
      const q = multiply(p224, k, { x: p224.gx, y: p224.gy })!;
      const full = encodePoint(p224, q);
      const compressed = new Uint8Array([0x02 | Number(q.y & 1n), ...full.subarray(1, 29)]);
      expect(toHex(encodePoint(p224, decodePoint(p224, compressed)!))).toBe(toHex(full));
    }
    // A point off the curve is refused.
    const bad = encodePoint(p224, { x: p224.gx, y: p224.gy });
    bad[bad.length - 1]! ^= 1;
    expect(decodePoint(p224, bad)).toBeUndefined();
  });

  test("DER signatures are read strictly", () => {
    expect(parseEcdsaDer(fromHex("3006020101020102"))).toEqual([1n, 2n]);
    expect(parseEcdsaDer(fromHex("300602010102010200"))).toBeUndefined(); // trailing byte
    expect(parseEcdsaDer(fromHex("30070202000102010200"))).toBeUndefined(); // non-minimal integer
    expect(parseEcdsaDer(fromHex("308106020101020102"))).toBeUndefined(); // long form for a short length
    expect(parseEcdsaDer(fromHex("3006020181020102"))).toBeUndefined(); // negative r
  });
});
