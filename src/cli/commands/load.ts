/** `webcard load FILE`: INSTALL [for load] and LOAD only, with a progress bar on a terminal. */
import { toHex } from "../../stack/bytes.ts";
import type { CapFile } from "../../stack/cap/load-file.ts";
import { checkLoadSize, load, type LoadResult } from "../../host/gp/load.ts";
import { maxBlockSize } from "../../host/gp/session.ts";
import type { Context } from "../context.ts";
import type { KeyFlags } from "../options.ts";
import { connectOptionsFrom } from "../option-values.ts";
import { readLoadFile } from "../load-file.ts";
import { withSession } from "../session.ts";
import { channelJson } from "../format.ts";
import { createProgressBar, type ProgressBar } from "../progress.ts";

/** Refuse a load file over 256 blocks before opening the card, at the largest block size the options allow. */
export function precheckSize(cap: CapFile, flags: KeyFlags): void {
  const options = connectOptionsFrom(flags);
  checkLoadSize(cap, options.blockSize ?? maxBlockSize(options.level));
}

/** The LOAD progress bar: on a terminal, never with --json or --quiet. */
export function loadProgressBar(ctx: Context): ProgressBar {
  return ctx.json || !ctx.interactive ? createProgressBar({ isTTY: false, write: () => true }) : createProgressBar();
}

export function loadLine(cap: CapFile, r: LoadResult): string {
  const v = `${cap.packageVersion.major}.${cap.packageVersion.minor}`;
  return `Loaded package ${toHex(cap.packageAid)} ${v}: ${r.bytes} bytes in ${r.blocks} LOAD block${r.blocks === 1 ? "" : "s"} of ${r.blockSize}`;
}

export function loadJson(r: LoadResult) {
  return { blocks: r.blocks, bytes: r.bytes, blockSize: r.blockSize };
}

export async function loadCommand(ctx: Context, file: string, flags: KeyFlags): Promise<void> {
  const cap = readLoadFile(file);
  precheckSize(cap, flags);
  await withSession(ctx, flags, async (session, target) => {
    const bar = loadProgressBar(ctx);
    let result: LoadResult;
    try {
      result = await load(session, cap, { onProgress: bar.update });
    } finally {
      bar.done();
    }
    if (ctx.json) {
      return ctx.printJson({ ok: true, target: target.describe, channel: channelJson(session), package: toHex(cap.packageAid), load: loadJson(result) });
    }
    ctx.out(loadLine(cap, result));
  });
}
