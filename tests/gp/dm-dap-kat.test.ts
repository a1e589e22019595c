/**
 * Known answers for DAP signatures, delegated-management tokens and
 * receipts, computed by an independent tool (openssl 3) in the test:
 *   hash:     openssl dgst -sha1|-sha256 -binary lfdb.bin
 *   RSA DAP:  openssl dgst -sha1|-sha256 -sign rsa.pem -binary hash.bin  (PKCS#1 v1.5 is deterministic: equal bytes)
 *   ECDSA:    openssl dgst -sha256 -verify ec-pub.pem -signature sig.der hash.bin  (random k: verified both ways)
 *   token:    openssl dgst -sha1 -sign rsa.pem -binary token-data.bin
 *   receipt:  openssl enc -des-ede-cbc -K key -iv 0 -nopad (last block), openssl mac -cipher AES-128-CBC CMAC
 */
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { concat, fromHex, toHex } from "../../src/stack/bytes.ts";
import { pad80 } from "../../src/stack/crypto/padding.ts";
import { loadFileDataBlockHash, parseLoadFileBytes, signDap, verifyDap } from "../../src/stack/gp/dap.ts";
import { loadFileBytes } from "../../src/stack/gp/load.ts";
import { installForLoad } from "../../src/stack/gp/install.ts";
import { installTokenBody, signToken, tokenData, verifyToken } from "../../src/stack/gp/token.ts";
import { computeReceipt, parseReceiptResponse, receiptInput, receiptResponse, verifyReceipt } from "../../src/stack/gp/receipt.ts";
import { FIXTURES, fixture } from "../card/fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-kat-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[], input?: Uint8Array): Uint8Array {
  const r = spawnSync("openssl", args, { input: input ? Buffer.from(input) : undefined });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr.toString()}`);
  return new Uint8Array(r.stdout);
}

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const rsaKeys = Object.fromEntries(
  [1024, 2048, 3072].map((bits) => {
    const path = join(dir, `rsa${bits}.pem`);
    openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${bits}`, "-out", path]);
    return [bits, path];
  }),
) as Record<number, string>;
const ecPath = join(dir, "ec.pem");
openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ecPath]);
const ecPubPath = join(dir, "ec-pub.pem");
openssl(["pkey", "-in", ecPath, "-pubout", "-out", ecPubPath]);
const priv = (path: string) => createPrivateKey(readFileSync(path));

/** r || s (P1363) to a DER ECDSA-Sig-Value, for openssl. */
function derSignature(raw: Uint8Array): Uint8Array {
  const int = (b: Uint8Array) => {
    let v = b;
    while (v.length > 1 && v[0] === 0 && v[1]! < 0x80) v = v.subarray(1);
    if (v[0]! >= 0x80) v = concat(0, v);
    return concat(0x02, v.length, v);
  };
  const body = concat(int(raw.subarray(0, 32)), int(raw.subarray(32)));
  return concat(0x30, body.length, body);
}

const SD = fromHex("A000000151000000");

describe("DAP over the fixture load files", () => {
  for (const name of FIXTURES) {
    const cap = fixture(name);
    test(`${name}: LFDB hashes equal openssl dgst`, () => {
      const lfdb = file(`${name}.lfdb`, cap.lfdb);
      expect(toHex(loadFileDataBlockHash(cap.lfdb, "sha1"))).toBe(toHex(openssl(["dgst", "-sha1", "-binary", lfdb])));
      expect(toHex(loadFileDataBlockHash(cap.lfdb, "sha256"))).toBe(toHex(openssl(["dgst", "-sha256", "-binary", lfdb])));
    });
    for (const bits of [1024, 2048, 3072]) {
      for (const alg of ["sha1", "sha256"] as const) {
        test(`${name}: RSA-${bits} ${alg} DAP equals openssl's signature`, () => {
          const hash = loadFileDataBlockHash(cap.lfdb, alg);
          const block = signDap(SD, hash, priv(rsaKeys[bits]!));
          const expected = openssl(["dgst", `-${alg}`, "-sign", rsaKeys[bits]!, "-binary", file("hash.bin", hash)]);
          expect(toHex(block.signature)).toBe(toHex(expected));
          const pub = createPublicKey(priv(rsaKeys[bits]!));
          expect(verifyDap(block, hash, pub)).toBe(true);
          const other = loadFileDataBlockHash(concat(cap.lfdb, 0), alg);
          expect(verifyDap(block, other, pub)).toBe(false);
        });
      }
    }
    test(`${name}: ECDSA P-256 DAP verifies with openssl, and openssl's with ours`, () => {
      const hash = loadFileDataBlockHash(cap.lfdb, "sha256");
      const block = signDap(SD, hash, priv(ecPath));
      expect(block.signature.length).toBe(64);
      const h = file("hash.bin", hash);
      const r = spawnSync("openssl", ["dgst", "-sha256", "-verify", ecPubPath, "-signature", file("sig.der", derSignature(block.signature)), h]);
      expect(r.stdout.toString().trim()).toBe("Verified OK");
      const theirs = openssl(["dgst", "-sha256", "-sign", ecPath, "-binary", h]);
      const p1363 = derToRaw(theirs);
      expect(verifyDap({ securityDomainAid: SD, signature: p1363 }, hash, createPublicKey(readFileSync(ecPubPath)))).toBe(true);
    });
  }
  test("LOAD data with DAP blocks parses back into the blocks and the LFDB", () => {
    const cap = fixture("kaoh_helloworld.cap");
    const hash = loadFileDataBlockHash(cap.lfdb);
    const dap = [signDap(SD, hash, priv(rsaKeys[1024]!)), signDap(fromHex("A0000001515350"), hash, priv(ecPath))];
    const parsed = parseLoadFileBytes(loadFileBytes(cap.lfdb, dap));
    expect(toHex(parsed.lfdb)).toBe(toHex(cap.lfdb));
    expect(parsed.dap.map((d) => toHex(d.signature))).toEqual(dap.map((d) => toHex(d.signature)));
  });
});

function derToRaw(der: Uint8Array): Uint8Array {
  // 30 L 02 Lr r 02 Ls s
  let o = 2;
  const read = () => {
    const n = der[o + 1]!;
    const v = der.subarray(o + 2, o + 2 + n);
    o += 2 + n;
    const out = new Uint8Array(32);
    const t = v.length > 32 ? v.subarray(v.length - 32) : v;
    out.set(t, 32 - t.length);
    return out;
  };
  return concat(read(), read());
}

describe("delegated-management tokens", () => {
  const cap = fixture("kaoh_helloworld.cap");
  const cmd = installForLoad({ packageAid: cap.packageAid, securityDomainAid: fromHex("A000000151535041"), hash: loadFileDataBlockHash(cap.lfdb) });
  const data = tokenData(cmd.p1, cmd.p2, installTokenBody(cmd.data));
  test("token data is P1 P2 L and the INSTALL [for load] fields without the token length", () => {
    expect(toHex(data.subarray(0, 3))).toBe(`0200${(cmd.data.length - 1).toString(16).toUpperCase().padStart(2, "0")}`);
    expect(toHex(data.subarray(3))).toBe(toHex(cmd.data.subarray(0, cmd.data.length - 1)));
  });
  for (const alg of ["sha1", "sha256"] as const) {
    test(`RSA-2048 ${alg} token equals openssl's signature and verifies`, () => {
      const token = signToken(data, priv(rsaKeys[2048]!), alg);
      expect(toHex(token)).toBe(toHex(openssl(["dgst", `-${alg}`, "-sign", rsaKeys[2048]!, "-binary", file("token.bin", data)])));
      const pub = createPublicKey(priv(rsaKeys[2048]!));
      expect(verifyToken(data, token, pub)).toBe(true);
      expect(verifyToken(concat(data, 0), token, pub)).toBe(false);
    });
  }
  test("ECDSA P-256 token verifies with openssl", () => {
    const token = signToken(data, priv(ecPath));
    const r = spawnSync("openssl", ["dgst", "-sha256", "-verify", ecPubPath, "-signature", file("tok.der", derSignature(token)), file("token.bin", data)]);
    expect(r.stdout.toString().trim()).toBe("Verified OK");
  });
});

describe("receipts", () => {
  const confirmation = { counter: 0x0102, sdUniqueData: fromHex("99999900112233445566778899") };
  const aids = [fromHex("D0D1D2D3D4D501"), fromHex("A000000151000000")];
  const input = receiptInput(confirmation, aids);
  test("the input is the confirmation data then each AID with its length", () => {
    expect(toHex(input)).toBe("0201020D99999900112233445566778899" + "07D0D1D2D3D4D501" + "08A000000151000000");
  });
  test("3DES receipt equals openssl's 3DES-CBC last block (ISO 9797-1 algorithm 1, pad 80)", () => {
    const key = fromHex("404142434445464748494A4B4C4D4E4F");
    const out = openssl(["enc", "-des-ede-cbc", "-K", toHex(key), "-iv", "0000000000000000", "-nopad"], pad80(input, 8));
    const receipt = computeReceipt(key, "3DES", input);
    expect(toHex(receipt)).toBe(toHex(out.subarray(out.length - 8)));
    expect(verifyReceipt(key, "3DES", receipt, confirmation, aids)).toBe(true);
    expect(verifyReceipt(key, "3DES", receipt, { ...confirmation, counter: 0x0103 }, aids)).toBe(false);
  });
  for (const bits of [128, 192, 256]) {
    test(`AES-${bits} receipt equals openssl's CMAC`, () => {
      const key = fromHex("404142434445464748494A4B4C4D4E4F404142434445464748494A4B4C4D4E4F".slice(0, bits / 4));
      const out = openssl(["mac", "-cipher", `AES-${bits}-CBC`, "-macopt", `hexkey:${toHex(key)}`, "-binary", "-in", file("receipt.bin", input), "CMAC"]);
      expect(toHex(computeReceipt(key, "AES", input))).toBe(toHex(out));
    });
  }
  test("the response data carries the receipt and the confirmation, and parses back", () => {
    const receipt = fromHex("0102030405060708");
    const parsed = parseReceiptResponse(receiptResponse(receipt, confirmation))!;
    expect(toHex(parsed.receipt)).toBe("0102030405060708");
    expect(parsed.confirmation.counter).toBe(0x0102);
    expect(toHex(parsed.confirmation.sdUniqueData)).toBe(toHex(confirmation.sdUniqueData));
    expect(parseReceiptResponse(Uint8Array.of(0))).toBeUndefined();
    expect(() => parseReceiptResponse(fromHex("0801020304"))).toThrow("truncated");
  });
});
