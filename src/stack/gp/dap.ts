/**
 * Data Authentication Pattern (GP 2.3.1 sections 9.2.1, 11.6.2.3 and C.2):
 * a security domain with the DAP Verification privilege checks, before a
 * load file joins the registry, a signature over the Load File Data Block
 * Hash made with the private key that matches its DAP public key.
 *
 *   LOAD data:  [E2 { 4F sdAID  C3 signature }]...  C4 <BER length> LFDB
 *   hash:       SHA-1 or SHA-256 of the LFDB (the value of C4), the hash
 *               INSTALL [for load] carries
 *   signature:  RSA PKCS#1 v1.5 or ECDSA P-256 over that hash (signature.ts)
 */
import { createHash, type KeyObject } from "node:crypto";
import { FormatError } from "../errors.ts";
import { hexNumber } from "../hex.ts";
import { readHeader } from "../tlv.ts";
import { TAG } from "./constants.ts";
import type { DapBlock } from "./load.ts";
import { schemeFor, signMessage, verifyMessage, type SignatureScheme } from "./signature.ts";

/** Hash algorithms for the Load File Data Block Hash (C.2.1). */
export type LfdbHash = "sha1" | "sha256";

/** The Load File Data Block Hash (GP C.2.1): the digest of the LFDB, which INSTALL [for load] carries. */
export function loadFileDataBlockHash(lfdb: Uint8Array, alg: LfdbHash = "sha256"): Uint8Array {
  return new Uint8Array(createHash(alg).update(lfdb).digest());
}

/** The hash an RSA scheme signs with, from the hash length: a SHA-1 LFDB hash goes with RSA SHA-1. */
export function dapScheme(key: KeyObject, hash: Uint8Array): SignatureScheme {
  return schemeFor(key, hash.length === 20 ? "sha1" : "sha256");
}

/**
 * DAP blocks for the security domain a load goes into, when the user named
 * none: a block signed before the card was opened carries an empty AID
 * (the signature covers the hash alone, C.2), filled in here once the
 * session knows its SD (an ISD need not be at A000000151000000).
 */
export function dapBlocksFor(blocks: readonly DapBlock[], sdAid: Uint8Array): DapBlock[] {
  return blocks.map((b) => (b.securityDomainAid.length === 0 ? { ...b, securityDomainAid: sdAid } : b));
}

/** Sign a Load File Data Block Hash for the security domain `sdAid`: one DAP block. */
export function signDap(sdAid: Uint8Array, hash: Uint8Array, privateKey: KeyObject): DapBlock {
  return { securityDomainAid: sdAid, signature: signMessage(dapScheme(privateKey, hash), privateKey, hash) };
}

/** Whether a DAP block's signature matches `hash` under the security domain's DAP public key. */
export function verifyDap(block: DapBlock, hash: Uint8Array, publicKey: KeyObject): boolean {
  return verifyMessage(dapScheme(publicKey, hash), publicKey, hash, block.signature);
}

/** A LOAD data stream split into its DAP blocks and the LFDB (the inverse of loadFileBytes). */
export interface ParsedLoadFile {
  dap: DapBlock[];
  lfdb: Uint8Array;
}

/** At most this many DAP blocks in one load (one per security domain in the path; GP 9.2.1). */
export const MAX_DAP_BLOCKS = 8;

/** Split `[E2...] C4 LFDB` into DAP blocks and the LFDB; throws FormatError on anything else. */
export function parseLoadFileBytes(bytes: Uint8Array): ParsedLoadFile {
  const dap: DapBlock[] = [];
  let o = 0;
  while (o < bytes.length) {
    const h = readHeader(bytes, o);
    const value = bytes.subarray(h.valueOffset, h.valueOffset + h.length);
    if (h.valueOffset + h.length > bytes.length) throw new FormatError(`Load file TLV ${hexNumber(h.tag)} runs past the data`, bytes.subarray(o, o + 8));
    if (h.tag === TAG.LFDB) {
      if (h.valueOffset + h.length !== bytes.length) throw new FormatError("Bytes follow the load file data block (C4)");
      return { dap, lfdb: value };
    }
    if (h.tag !== TAG.DAP_BLOCK) throw new FormatError(`Load file holds tag ${hexNumber(h.tag)}, expected E2 (DAP block) or C4`);
    if (dap.length >= MAX_DAP_BLOCKS) throw new FormatError(`More than ${MAX_DAP_BLOCKS} DAP blocks`);
    dap.push(parseDapBlock(value));
    o = h.valueOffset + h.length;
  }
  throw new FormatError("Load file has no load file data block (C4)");
}

/** The value of one E2: `4F sdAID C3 signature`. */
export function parseDapBlock(value: Uint8Array): DapBlock {
  let sd: Uint8Array | undefined;
  let signature: Uint8Array | undefined;
  let o = 0;
  while (o < value.length) {
    const h = readHeader(value, o);
    if (h.valueOffset + h.length > value.length) throw new FormatError("DAP block TLV runs past its E2", value);
    const v = value.subarray(h.valueOffset, h.valueOffset + h.length);
    if (h.tag === TAG.DAP_SD_AID) sd = v;
    else if (h.tag === TAG.DAP_SIGNATURE) signature = v;
    o = h.valueOffset + h.length;
  }
  if (!sd || !signature) throw new FormatError("A DAP block (E2) needs 4F (security domain AID) and C3 (signature)", value);
  return { securityDomainAid: sd, signature };
}
