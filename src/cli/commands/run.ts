/**
 * `webcard run FILE.cap [APDU...]`: a quick applet test without a reader.
 * A fresh in-process simulated card (memory only) takes the CAP through its
 * ISD (INSTALL [for load], LOAD, INSTALL [for install and make selectable]
 * per applet, as a loader would), then the first applet is selected and
 * each APDU is sent; every exchange is printed with its SW's meaning.
 */
import { CommandApdu } from "../../stack/apdu.ts";
import { fromHex, toHex } from "../../stack/bytes.ts";
import { UsageError, WebcardError } from "../../stack/errors.ts";
import { installForInstall, installForLoad } from "../../stack/gp/install.ts";
import { installParams } from "../../stack/gp/install-params.ts";
import { loadBlocks, loadFileBytes } from "../../stack/gp/load.ts";
import { select } from "../../stack/gp/commands.ts";
import { describeSw, SW } from "../../stack/status-words.ts";
import type { Context } from "../context.ts";
import type { GlobalFlags } from "../options.ts";
import { readLoadFile } from "../load-file.ts";
import { memoryFrom } from "./sim.ts";

/** Flags of `webcard run`. */
export interface RunFlags extends GlobalFlags {
  params?: string;
  memory?: string;
  javaCard?: string;
  traceVm?: boolean;
}

/** LOAD block size of the in-process card's ISD (its FCI 9F65). */
const BLOCK = 255;

function apduFrom(text: string): CommandApdu {
  const clean = text.replace(/[\s:]/g, "");
  try {
    return CommandApdu.parse(fromHex(clean));
  } catch (error) {
    throw new UsageError(`'${text}' is not a command APDU in hex (CLA INS P1 P2 [Lc data] [Le]): ${(error as Error).message}`);
  }
}

export async function runCommand(ctx: Context, file: string, apdus: string[], flags: RunFlags): Promise<void> {
  const commands = apdus.map(apduFrom);
  const params = flags.params === undefined ? undefined : fromHex(flags.params.replace(/\s/g, ""));
  const memoryBytes = memoryFrom(flags.memory);
  const cap = readLoadFile(file);
  if (cap.applets.length === 0) throw new WebcardError(`${file} is a library package: it has no applet to run`);
  const { createSimulatedCard } = await import("../../card/sim.ts");
  const card = createSimulatedCard({
    open: true,
    ...(memoryBytes !== undefined ? { memoryBytes } : {}),
    ...(flags.javaCard ? { javaCardVersion: flags.javaCard } : {}),
    // The card's log: refusals and what applets did wrong always, the install steps with --trace.
    log: (line) => (ctx.trace || !/^(INSTALL|LOAD)\b/.test(line) ? ctx.err(`card: ${line}`) : undefined),
    ...(flags.traceVm ? { traceVm: (line: string) => ctx.err(`vm: ${line}`) } : {}),
  });
  const exchanges: { command: string; response: string; sw: string; meaning: string }[] = [];
  const send = async (c: CommandApdu, show: boolean) => {
    const r = await card.process(c.toBytes());
    const sw = (r[r.length - 2]! << 8) | r[r.length - 1]!;
    // --trace: the install's APDUs too (on stderr), as every command shows what goes over the wire.
    if (!show && ctx.trace) ctx.err(`> ${toHex(c.toBytes())}\n< ${toHex(r)}`);
    if (show) {
      exchanges.push({ command: toHex(c.toBytes()), response: toHex(r.subarray(0, r.length - 2)), sw: toHex(r.subarray(r.length - 2)), meaning: describeSw(sw) });
      if (!ctx.json) {
        ctx.out(`> ${toHex(c.toBytes())}`);
        ctx.out(`< ${toHex(r.subarray(0, r.length - 2))}${r.length > 2 ? " " : ""}${describeSw(sw)}`);
      }
    }
    return sw;
  };
  try {
    const setup = [
      installForLoad({ packageAid: cap.packageAid }),
      ...loadBlocks(loadFileBytes(cap.lfdb), BLOCK),
      ...cap.applets.map((a) =>
        installForInstall({ packageAid: cap.packageAid, moduleAid: a.aid, instanceAid: a.aid, params: installParams(params), selectable: true }),
      ),
    ];
    for (const c of setup) {
      const sw = await send(c, false);
      if (sw !== SW.OK) throw new WebcardError(`The card refused the CAP: ${describeSw(sw)} (the card's log above says why)`);
    }
    await send(select(cap.applets[0]!.aid), true);
    for (const c of commands) await send(c, true);
  } finally {
    card.close();
  }
  if (ctx.json) ctx.printJson({ applet: toHex(cap.applets[0]!.aid), exchanges });
}
