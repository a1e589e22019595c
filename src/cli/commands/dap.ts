/**
 * `webcard dap sign FILE.cap --dap-key KEY.pem [--dap-domain SD] [--hash
 * sha1|sha256]` and `webcard dap verify FILE.cap --dap-key PUB.pem
 * --signature HEX`: DAP signatures over a CAP's load file data block hash
 * (GP 2.3.1 section C.2), offline.
 */
import { fromHex, isHex, toHex } from "../../stack/bytes.ts";
import { UsageError, WebcardError } from "../../stack/errors.ts";
import { DEFAULT_ISD_AIDS } from "../../stack/gp/constants.ts";
import { loadFileDataBlockHash, signDap, verifyDap, type LfdbHash } from "../../stack/gp/dap.ts";
import { loadFileBytes } from "../../stack/gp/load.ts";
import type { Context } from "../context.ts";
import type { GlobalFlags } from "../options.ts";
import { aidFrom } from "../option-values.ts";
import { readLoadFile } from "../load-file.ts";
import { privateKeyFile, publicKeyFile } from "../pem.ts";

export interface DapFlags extends GlobalFlags {
  dapKey?: string;
  dapDomain?: string;
  hash?: string;
  signature?: string;
}

export function hashFrom(text: string | undefined): LfdbHash {
  if (text === undefined || text === "sha256") return "sha256";
  if (text === "sha1") return "sha1";
  throw new UsageError(`--hash must be sha1 or sha256, got '${text}'`);
}

export async function dapCommand(ctx: Context, action: string, file: string, flags: DapFlags): Promise<void> {
  if (action !== "sign" && action !== "verify") throw new UsageError(`Unknown dap action '${action}': use sign or verify`);
  if (flags.dapKey === undefined) throw new UsageError(`Give the key with --dap-key FILE (${action === "sign" ? "private" : "public"} key, PEM)`);
  const cap = readLoadFile(file);
  const alg = hashFrom(flags.hash);
  const hash = loadFileDataBlockHash(cap.lfdb, alg);
  const sd = flags.dapDomain === undefined ? fromHex(DEFAULT_ISD_AIDS[0]) : aidFrom(flags.dapDomain, "--dap-domain AID");
  if (action === "sign") {
    const block = signDap(sd, hash, privateKeyFile(flags.dapKey, "--dap-key"));
    const e2 = loadFileBytes(new Uint8Array(0), [block]).subarray(0, -2);
    if (ctx.json) return ctx.printJson({ ok: true, package: toHex(cap.packageAid), hash: { [alg]: toHex(hash) }, domain: toHex(sd), signature: toHex(block.signature), dapBlock: toHex(e2) });
    ctx.out(`Load file data block ${alg.toUpperCase()} ${toHex(hash)}`);
    ctx.out(`DAP signature for ${toHex(sd)}: ${toHex(block.signature)}`);
    return;
  }
  const sig = (flags.signature ?? "").replace(/\s+/g, "");
  if (!isHex(sig) || sig.length === 0) throw new UsageError("Give the signature to check with --signature HEX");
  const ok = verifyDap({ securityDomainAid: sd, signature: fromHex(sig) }, hash, publicKeyFile(flags.dapKey, "--dap-key"));
  if (!ok) {
    throw new WebcardError(`DAP signature does not verify over the load file's ${alg.toUpperCase()} ${toHex(hash)}`, {
      hint: "check the key, the CAP file and --hash (the card signs the hash INSTALL [for load] carries)",
    });
  }
  if (ctx.json) return ctx.printJson({ ok, package: toHex(cap.packageAid), hash: { [alg]: toHex(hash) } });
  ctx.out(`DAP signature verifies over ${alg.toUpperCase()} ${toHex(hash)}`);
}
