/** Key files: every bad one gets one plain line naming the file and what to do, never OpenSSL's text. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { ecKeyFile, privateKeyFile, publicKeyFile } from "./pem.ts";
import { webcard } from "../../tests/harness/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-pem-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
const ecPrivate = String(ec.privateKey.export({ format: "pem", type: "pkcs8" }));
const ecPublic = String(ec.publicKey.export({ format: "pem", type: "spki" }));
const rsaPrivate = String(rsa.privateKey.export({ format: "pem", type: "pkcs8" }));
const k1 = String(generateKeyPairSync("ec", { namedCurve: "P-224" }).privateKey.export({ format: "pem", type: "pkcs8" }));
const encryptedPkcs8 = String(ec.privateKey.export({ format: "pem", type: "pkcs8", cipher: "aes-256-cbc", passphrase: "x" }));
const encryptedSec1 = String(ec.privateKey.export({ format: "pem", type: "sec1", cipher: "aes-256-cbc", passphrase: "x" }));
const der = new Uint8Array(ec.privateKey.export({ format: "der", type: "pkcs8" }));
const [head, ...rest] = ecPrivate.trimEnd().split("\n");
const damaged = [head, rest[0]!.replace(/[A-Za-z]/g, "A").slice(0, 20), ...rest.slice(1)].join("\n");

type Reader = (path: string, label: string) => unknown;

describe("a bad key file is one line naming it, what is wrong and what to do", () => {
  test.each<[string, Reader, () => string, string]>([
    ["a missing file", privateKeyFile, () => join(dir, "absent.pem"), "cannot read the file (ENOENT)"],
    ["a file too large", privateKeyFile, () => file("big.pem", "x".repeat(70_000)), "70000 bytes is too large for a key file"],
    ["a DER key", privateKeyFile, () => file("key.der", der), "the key is DER (binary), not PEM: convert it with openssl pkey -inform DER"],
    ["a text that is not PEM", privateKeyFile, () => file("notes.txt", "hello\n"), "not a PEM key file (no -----BEGIN line)"],
    ["a PEM cut short", privateKeyFile, () => file("cut.pem", ecPrivate.slice(0, 80)), "the PEM block 'PRIVATE KEY' has no matching -----END PRIVATE KEY----- line: the file is cut short or damaged"],
    ["an encrypted PKCS#8 key", privateKeyFile, () => file("enc8.pem", encryptedPkcs8), "the key is encrypted (password-protected), which webcard does not read: write it unencrypted with openssl pkey -in"],
    ["an encrypted SEC 1 key", ecKeyFile, () => file("enc1.pem", encryptedSec1), "the key is encrypted (password-protected)"],
    ["a certificate for a private key", privateKeyFile, () => file("cert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), "holds a certificate, not a private key: give the private key file"],
    ["a certificate for a public key", publicKeyFile, () => file("cert2.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), "holds a certificate, not a key: openssl x509 -in"],
    ["a public key for a private one", privateKeyFile, () => file("pub.pem", ecPublic), "holds a public key: this option needs the private key"],
    ["damaged base64", privateKeyFile, () => file("bad.pem", damaged), "the PEM block does not decode as a key (damaged base64, or a key type webcard does not read)"],
    ["an RSA key for SCP11", ecKeyFile, () => file("rsa.pem", rsaPrivate), "the key is RSA; SCP11 needs an EC key on P-256, P-384 or P-521"],
    ["an EC key on another curve", ecKeyFile, () => file("k1.pem", k1), "the EC key is on curve secp224r1; SCP11 needs P-256, P-384 or P-521"],
  ])("%s", (_what, reader, make, message) => {
    const path = make();
    let error: unknown;
    try {
      reader(path, "--dap-key");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    const text = (error as Error).message;
    expect(text).toStartWith(`--dap-key ${path}: `);
    expect(text).toContain(message);
    expect(text).not.toMatch(/routines|error:[0-9A-F]{8}/);
    expect(text).not.toContain("\n");
  });
});

describe("good key files are read", () => {
  test("an EC private key, and the public half of it", () => {
    const key = ecKeyFile(file("ec.pem", ecPrivate), "CA key");
    expect(key.curve.size).toBe(32);
    expect(key.d).toBeDefined();
    expect(publicKeyFile(file("ec2.pem", ecPrivate), "--public").type).toBe("public");
    expect(ecKeyFile(file("ecpub.pem", ecPublic), "CA key").d).toBeUndefined();
  });

  test("an RSA private key for signing", () => {
    expect(privateKeyFile(file("rsa-ok.pem", rsaPrivate), "--dap-key").asymmetricKeyType).toBe("rsa");
  });
});

test("the CLI says it in one line with exit 2 (keys generate-oce --ca-key with a damaged PEM)", () => {
  const path = file("ca-bad.pem", damaged);
  const r = webcard(["keys", "generate-oce", "--ca-key", path, "--out", dir]);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe(`webcard: CA key ${path}: the PEM block does not decode as a key (damaged base64, or a key type webcard does not read): check the file or make it again\n`);
});
