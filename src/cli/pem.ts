/**
 * Key files (PEM) for DAP signatures, delegated-management tokens and SCP11.
 * Each problem is one line naming the file, what is wrong and what to do;
 * OpenSSL's own text ("error:1E08010C:DECODER routines::unsupported") never
 * reaches the user.
 */
import { readFileSync } from "node:fs";
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { UsageError } from "../stack/errors.ts";
import { parseEcKeyPem, type EcKey } from "../stack/gp/scp11/curves.ts";

/** Largest key file read (a PEM RSA-3072 private key is about 2.5 KB). */
const MAX_KEY_FILE = 64 * 1024;

/** What a key file must hold. */
type Want = "private" | "public or private";

function read(path: string, label: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`${label} ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if (bytes.length > MAX_KEY_FILE) throw new UsageError(`${label} ${path}: ${bytes.length} bytes is too large for a key file`);
  // DER starts with a SEQUENCE (30 8x); PEM is text.
  if (bytes[0] === 0x30 && (bytes[1] ?? 0) >= 0x80) {
    throw new UsageError(`${label} ${path}: the key is DER (binary), not PEM: convert it with openssl pkey -inform DER -in ${path} -out key.pem`);
  }
  return bytes.toString("utf8");
}

/** The reason a PEM text cannot be the key wanted, said before OpenSSL is asked (RFC 7468 labels). */
function pemProblem(text: string, path: string, want: Want): string | undefined {
  const begin = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text);
  if (!begin) return "not a PEM key file (no -----BEGIN line): give the .pem file the key was saved in";
  const kind = begin[1]!;
  if (!text.includes(`-----END ${kind}-----`)) return `the PEM block '${kind}' has no matching -----END ${kind}----- line: the file is cut short or damaged`;
  if (kind === "ENCRYPTED PRIVATE KEY" || /Proc-Type:\s*4,ENCRYPTED/.test(text)) {
    return `the key is encrypted (password-protected), which webcard does not read: write it unencrypted with openssl pkey -in ${path} -out plain.pem`;
  }
  if (kind === "CERTIFICATE" || kind === "X509 CRL" || kind === "CERTIFICATE REQUEST") {
    return want === "private"
      ? `holds a ${kind.toLowerCase()}, not a private key: give the private key file`
      : `holds a ${kind.toLowerCase()}, not a key: openssl x509 -in ${path} -pubkey -noout > key.pem takes its public key`;
  }
  if (!kind.endsWith("PRIVATE KEY") && !kind.endsWith("PUBLIC KEY")) return `holds a PEM '${kind}' block, not a key`;
  if (want === "private" && kind.endsWith("PUBLIC KEY")) return "holds a public key: this option needs the private key";
  return undefined;
}

/** The key object of a PEM key file, or one line saying what is wrong with it. */
function keyFile(path: string, label: string, want: Want): { key: KeyObject; text: string } {
  const text = read(path, label);
  const problem = pemProblem(text, path, want);
  if (problem) throw new UsageError(`${label} ${path}: ${problem}`);
  try {
    const isPrivate = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text);
    return { key: isPrivate ? createPrivateKey(text) : createPublicKey(text), text };
  } catch (cause) {
    throw new UsageError(`${label} ${path}: the PEM block does not decode as a key (damaged base64, or a key type webcard does not read): check the file or make it again`, { cause });
  }
}

/** A private key (PEM: PKCS#8, PKCS#1 or SEC 1) for signing. */
export function privateKeyFile(path: string, label: string): KeyObject {
  return keyFile(path, label, "private").key;
}

/** A public key (PEM), or the public half of a private key file. */
export function publicKeyFile(path: string, label: string): KeyObject {
  const { key } = keyFile(path, label, "public or private");
  return key.type === "private" ? createPublicKey(key) : key;
}

/** An EC key (SCP11) on P-256, P-384 or P-521 (GP Amendment F), private or public. */
export function ecKeyFile(path: string, label: string): EcKey {
  const { key, text } = keyFile(path, label, "public or private");
  if (key.asymmetricKeyType !== "ec") {
    throw new UsageError(`${label} ${path}: the key is ${String(key.asymmetricKeyType).toUpperCase()}; SCP11 needs an EC key on P-256, P-384 or P-521 (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 makes one)`);
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve !== "prime256v1" && curve !== "secp384r1" && curve !== "secp521r1") {
    throw new UsageError(`${label} ${path}: the EC key is on curve ${curve ?? "unknown"}; SCP11 needs P-256, P-384 or P-521`);
  }
  return parseEcKeyPem(text, `${label} ${path}`);
}

/**
 * A delegated-management token key: its signatures must fit the one-byte
 * token length of INSTALL and DELETE data (GP 2.3.1 11.5.2.3, 11.2.2.3),
 * so RSA up to 2040 bits or ECDSA (P-256 signatures are at most 72 bytes).
 */
export function tokenKeyFile(path: string, option: string): KeyObject {
  const key = privateKeyFile(path, option);
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType === "rsa" && bits !== undefined && bits > 2040) {
    throw new UsageError(`${option} ${path}: an RSA-${bits} token is ${bits / 8} bytes, INSTALL carries at most 255: use RSA 1024 or an EC P-256 key`);
  }
  return key;
}
