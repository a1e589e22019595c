/**
 * `webcard ui`: wires the dashboard (src/web) to the real world. Readers
 * and card connections come from PC/SC; with `--sim [STATE]` an in-process
 * simulated card joins them as one more reader (reader-sources.ts). Card
 * operations are the GlobalPlatform ones of src/host. Prints the URL with
 * its token, then serves until interrupted.
 */
import type { Context } from "../context.ts";
import type { GlobalFlags } from "../options.ts";
import { UsageError } from "../../stack/errors.ts";
import { serveDashboard } from "../../web/serve.ts";
import { depsFrom, pcscSource, simSource, type ReaderSource } from "../reader-sources.ts";
import { readerChoice } from "../option-values.ts";

/** Flags of `webcard ui`. */
export interface UiFlags extends GlobalFlags {
  port?: string;
  timeout?: string;
  sim?: string | true;
  javaCard?: string;
  profile?: string;
  open?: boolean;
}

function portFrom(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a port number 0-65535, got '${text}'`);
  return n;
}

function openBrowser(url: string): void {
  const cmd =
    process.platform === "darwin" ? ["open", url] : process.platform === "win32" ? ["cmd", "/c", "start", "", url] : ["xdg-open", url];
  try {
    Bun.spawn(cmd, { stdout: "ignore", stderr: "ignore", stdin: "ignore" }).unref();
  } catch {
    // No browser opener: the URL is printed anyway.
  }
}

/** Run the dashboard until SIGINT or SIGTERM. */
export async function uiCommand(ctx: Context, flags: UiFlags): Promise<void> {
  const port = portFrom(flags.port);
  if (flags.javaCard !== undefined && flags.sim === undefined) {
    throw new UsageError("--java-card chooses the release of the simulated card: use it with --sim");
  }
  if (flags.profile !== undefined && flags.sim === undefined) {
    throw new UsageError("--profile makes the simulated card behave as a real one: use it with --sim");
  }
  // --timeout holds for every card command the dashboard runs, on readers and on the simulated card.
  const { timeoutMs } = readerChoice({ ...(flags.timeout === undefined ? {} : { timeout: flags.timeout }) });
  const sources: ReaderSource[] = [await pcscSource(timeoutMs)];
  if (flags.sim !== undefined) sources.push(await simSource(flags.sim, flags.javaCard, timeoutMs, flags.profile));
  const served = serveDashboard(depsFrom(sources, ctx.trace ? ctx.err : undefined), { port });
  if (ctx.json) ctx.printJson({ url: served.url, port: served.port });
  else ctx.out(`webcard dashboard: ${served.url}`);
  ctx.err("Keep this URL private: its token opens the dashboard. Stop with Ctrl+C.");
  if (flags.open) openBrowser(served.url);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await served.stop();
  for (const s of sources) await s.close?.();
}
