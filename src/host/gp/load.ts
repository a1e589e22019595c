/**
 * Load a CAP's Load File Data Block into the card: INSTALL [for load], then
 * the LOAD blocks, reporting progress after each block. The 256-block limit
 * is checked before the first command goes out.
 */
import { inTransaction, send } from "../../stack/transport/transport.ts";
import { installForLoad } from "../../stack/gp/install.ts";
import { loadBlocks, loadFileBytes, checkLoadFits, type DapBlock } from "../../stack/gp/load.ts";
import { dapBlocksFor } from "../../stack/gp/dap.ts";
import { withSignedInstallToken } from "../../stack/gp/token.ts";
import type { KeyObject } from "node:crypto";
import { check } from "../../stack/check.ts";
import type { GpSession } from "./session.ts";
import { checkCardTakes, explainInstallForLoad, explainRefusal, type ImportRef } from "./explain.ts";

/** What the loader needs from a CAP file (src/stack/cap CapFile fits). */
export interface LoadFile {
  packageAid: Uint8Array;
  /** The package version (CAP Header), to compare with a copy already on the card. */
  packageVersion?: { major: number; minor: number };
  applets: readonly { aid: Uint8Array }[];
  imports?: readonly ImportRef[];
  /** CAP format "2.1", "2.2", "2.3" (checked against what the card lists before INSTALL [for load]). */
  formatVersion?: string;
  /** An extended CAP file (JCVM 3.1 §6.4): `packageAid` is its CAP AID. */
  extended?: boolean;
  /** The Load File Data Block, without the C4 tag. */
  lfdb: Uint8Array;
}

/** Progress after each LOAD block. */
export interface LoadProgress {
  block: number;
  blocks: number;
  bytes: number;
  totalBytes: number;
}

export type ProgressCallback = (progress: LoadProgress) => void;

export interface LoadOptions {
  /** LFDB hash for INSTALL [for load] (empty by default, like peers). */
  hash?: Uint8Array;
  onProgress?: ProgressCallback;
  /** DAP blocks sent before the LFDB (GP 11.6.2.3); INSTALL [for load] then needs `hash`. */
  dap?: readonly DapBlock[];
  /** Card Issuer's token key: INSTALL [for load] carries a delegated-management token (GP 9.4). */
  tokenKey?: KeyObject;
  /** The security domain to load into; default the session's. */
  into?: Uint8Array;
}

/** What a load did. */
export interface LoadResult {
  blocks: number;
  bytes: number;
  blockSize: number;
  /** The receipt data of the last LOAD, when the card gave one (delegated management). */
  receipt?: Uint8Array;
}

/** Check the 256-block limit for `file` at `blockSize`, throwing LoadTooLargeError; sends nothing. */
export function checkLoadSize(file: LoadFile, blockSize: number): number {
  return checkLoadFits(loadFileBytes(file.lfdb).length, blockSize);
}

/** INSTALL [for load] + LOAD blocks into the session's ISD (or `into`), with the card to this session alone. */
export function load(session: GpSession, file: LoadFile, options: LoadOptions = {}): Promise<LoadResult> {
  return inTransaction(session.channel, "load", () => sendLoad(session, file, options));
}

async function sendLoad(session: GpSession, file: LoadFile, options: LoadOptions): Promise<LoadResult> {
  const bytes = loadFileBytes(file.lfdb, dapBlocksFor(options.dap ?? [], options.into ?? session.isd));
  const commands = loadBlocks(bytes, session.blockSize); // throws before anything is sent
  const t = session.channel;
  // Refused before INSTALL [for load] when the card's registry says it cannot take the file.
  await checkCardTakes(t, file);
  try {
    const command = installForLoad({
      packageAid: file.packageAid,
      securityDomainAid: options.into ?? session.isd,
      ...(options.hash ? { hash: options.hash } : {}),
    });
    check(await send(t, options.tokenKey ? withSignedInstallToken(command, options.tokenKey) : command), "INSTALL [for load]");
  } catch (error) {
    throw explainInstallForLoad(error, file.packageAid, session.level);
  }
  let sent = 0;
  let receipt: Uint8Array | undefined;
  for (const [i, command] of commands.entries()) {
    try {
      const r = check(await send(t, command), "LOAD");
      if (r.data.length > 1) receipt = r.data;
    } catch (error) {
      throw await explainRefusal(error, t, file.imports ?? [], file.formatVersion);
    }
    sent += command.data.length;
    options.onProgress?.({ block: i + 1, blocks: commands.length, bytes: sent, totalBytes: bytes.length });
  }
  return { blocks: commands.length, bytes: bytes.length, blockSize: session.blockSize, ...(receipt ? { receipt } : {}) };
}
