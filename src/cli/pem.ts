/** Keys from PEM files for DAP signatures and delegated-management tokens; each problem in one line. */
import { readFileSync } from "node:fs";
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { UsageError } from "../stack/errors.ts";

/** Largest key file read (a PEM RSA-3072 private key is about 2.5 KB). */
const MAX_KEY_FILE = 64 * 1024;

function read(path: string, option: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`${option} ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if (text.length > MAX_KEY_FILE) throw new UsageError(`${option} ${path}: ${text.length} bytes is too large for a key file`);
  return text;
}

/** A private key (PEM, PKCS#1, PKCS#8 or SEC1) for signing. */
export function privateKeyFile(path: string, option: string): KeyObject {
  try {
    return createPrivateKey(read(path, option));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${option} ${path}: not a PEM private key (openssl genpkey -algorithm RSA -out key.pem makes one)`);
  }
}

/** A public key (PEM), or the public half of a private key file. */
export function publicKeyFile(path: string, option: string): KeyObject {
  const text = read(path, option);
  try {
    return createPublicKey(text);
  } catch {
    throw new UsageError(`${option} ${path}: not a PEM public or private key`);
  }
}
