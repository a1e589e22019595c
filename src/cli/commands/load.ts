/** `webcard load FILE`: INSTALL [for load] and LOAD only, with a progress bar on a terminal. */
import { toHex } from "../../stack/bytes.ts";
import type { CapFile } from "../../stack/cap/load-file.ts";
import { checkLoadSize, load, type LoadOptions, type LoadResult } from "../../host/gp/load.ts";
import { loadFileDataBlockHash, signDap } from "../../stack/gp/dap.ts";
import { aidFrom } from "../option-values.ts";
import { privateKeyFile, tokenKeyFile } from "../pem.ts";
import { hashFrom } from "./dap.ts";
import { maxBlockSize } from "../../host/gp/session.ts";
import type { Context } from "../context.ts";
import type { LoadBlockFlags } from "../options.ts";
import { loadConnectOptionsFrom } from "../option-values.ts";
import { readLoadFile } from "../load-file.ts";
import { withSession } from "../session.ts";
import { channelJson } from "../format.ts";
import { createProgressBar, type ProgressBar } from "../progress.ts";

/** Refuse a load file over 256 blocks before opening the card, at the largest block size the options allow. */
export function precheckSize(cap: CapFile, flags: LoadBlockFlags): void {
  const options = loadConnectOptionsFrom(flags);
  checkLoadSize(cap, options.blockSize ?? maxBlockSize(options.level));
}

/** The LOAD progress bar: on a terminal, never with --json or --quiet. */
export function loadProgressBar(ctx: Context): ProgressBar {
  return ctx.json || !ctx.interactive ? createProgressBar({ isTTY: false, write: () => true }) : createProgressBar();
}

export function loadLine(cap: CapFile, r: LoadResult): string {
  const v = `${cap.packageVersion.major}.${cap.packageVersion.minor}`;
  return `Loaded ${cap.extended ? "CAP file" : "package"} ${toHex(cap.packageAid)} ${v}: ${r.bytes} bytes in ${r.blocks} LOAD block${r.blocks === 1 ? "" : "s"} of ${r.blockSize}`;
}

export function loadJson(r: LoadResult) {
  return { blocks: r.blocks, bytes: r.bytes, blockSize: r.blockSize, ...(r.receipt ? { receipt: toHex(r.receipt) } : {}) };
}

/** Flags of `webcard load`: the target SD, DAP signing and a delegated-management token. */
export interface LoadFlags extends LoadBlockFlags {
  domain?: string;
  dapKey?: string;
  dapDomain?: string;
  hash?: string;
  dmTokenKey?: string;
}

/** The DAP, hash and token options of a load (GP 9.2.1, 9.4), read before the card is opened. */
export function signingOptions(cap: CapFile, flags: LoadFlags): LoadOptions {
  const into = flags.domain === undefined ? undefined : aidFrom(flags.domain, "--domain AID");
  const signed = flags.dapKey !== undefined || flags.dmTokenKey !== undefined || flags.hash !== undefined;
  if (!signed) return into ? { into } : {};
  const hash = loadFileDataBlockHash(cap.lfdb, hashFrom(flags.hash));
  // The DAP is for the SD the file goes into: --domain, else the session's SD (--sd/--isd), else the
  // ISD the session finds (an empty AID, filled in by the load once the card is open: dapBlocksFor).
  const sessionSd = flags.sd ?? flags.isd;
  const dapDomain =
    flags.dapDomain !== undefined
      ? aidFrom(flags.dapDomain, "--dap-domain AID")
      : (into ?? (sessionSd !== undefined ? aidFrom(sessionSd, "--sd AID") : new Uint8Array(0)));
  return {
    hash,
    ...(into ? { into } : {}),
    ...(flags.dapKey ? { dap: [signDap(dapDomain, hash, privateKeyFile(flags.dapKey, "--dap-key"))] } : {}),
    ...(flags.dmTokenKey ? { tokenKey: tokenKeyFile(flags.dmTokenKey, "--dm-token-key") } : {}),
  };
}

export async function loadCommand(ctx: Context, file: string, flags: LoadFlags): Promise<void> {
  const cap = readLoadFile(file);
  precheckSize(cap, flags);
  const signing = signingOptions(cap, flags);
  await withSession(ctx, flags, async (session, target) => {
    const bar = loadProgressBar(ctx);
    let result: LoadResult;
    try {
      result = await load(session, cap, { ...signing, onProgress: bar.update });
    } finally {
      bar.done();
    }
    if (ctx.json) {
      return ctx.printJson({ ok: true, target: target.describe, channel: channelJson(session), package: toHex(cap.packageAid), load: loadJson(result) });
    }
    ctx.out(loadLine(cap, result));
  }, loadConnectOptionsFrom(flags));
}
