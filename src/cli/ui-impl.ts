/**
 * `webcard ui`: wires the dashboard (src/web) to the real world. Readers
 * and card connections come from PC/SC; with `--sim [STATE]` an in-process
 * simulated card joins them as one more reader. Card operations are the
 * GlobalPlatform ones of src/host. Prints the URL with its token, then
 * serves until interrupted.
 */
import type { Context, GlobalFlags } from "./context.ts";
import { UsageError } from "../stack/errors.ts";
import { withIsoResponses } from "../stack/transport/get-response.ts";
import { withTrace } from "../stack/transport/trace.ts";
import type { CardConnection, DashboardDeps, ReaderEvent, ReaderInfo } from "../web/deps.ts";
import { gpOps } from "../web/gp-ops.ts";
import { serveDashboard } from "../web/serve.ts";

export interface UiFlags extends GlobalFlags {
  port?: unknown;
  sim?: unknown;
  open?: boolean;
}

/** Readers from one place (PC/SC, the simulated card). */
export interface ReaderSource {
  listReaders(): Promise<ReaderInfo[]>;
  monitor(signal: AbortSignal): AsyncIterable<ReaderEvent>;
  /** Whether `reader` is one of this source's. */
  owns(reader: string): boolean;
  openCard(reader: string): Promise<CardConnection>;
  close?(): Promise<void>;
}

/** PC/SC readers (src/host/pcsc); loaded only when the dashboard starts. */
export async function pcscSource(): Promise<ReaderSource> {
  const { listReaders, monitorReaders } = await import("../host/pcsc/readers.ts");
  const { connectReader } = await import("../host/pcsc/connect.ts");
  let known = new Set<string>();
  return {
    async listReaders() {
      const readers = await listReaders();
      known = new Set(readers.map((r) => r.name));
      return readers;
    },
    monitor: (signal) => monitorReaders(signal),
    owns: (reader) => known.has(reader),
    openCard: (reader) => connectReader({ reader }),
  };
}

/** The name the simulated card's reader has on the dashboard. */
export const SIM_READER = "Simulated card (webcard)";

function portFrom(value: unknown): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a port number 0-65535, got '${String(value)}'`);
  return n;
}

async function simSource(sim: unknown): Promise<ReaderSource> {
  const { createWebCard } = await import("../card/link/with-link.ts");
  const { inProcessTransport } = await import("../card/in-process.ts");
  const { defaultStatePath } = await import("../card/state-path.ts");
  const statePath = sim === true || sim === "" ? defaultStatePath() : String(sim);
  const card = createWebCard({ statePath });
  return {
    async listReaders() {
      return [{ name: SIM_READER, cardPresent: true, atr: card.atr(), protocol: "T=1", simulated: true }];
    },
    async *monitor(signal) {
      // The simulated card never leaves its reader.
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    },
    owns: (reader) => reader === SIM_READER,
    async openCard() {
      const t = inProcessTransport(card, { name: SIM_READER });
      return { ...t, name: SIM_READER, transmit: t.transmit, close: async () => t.close?.() };
    },
    close: async () => card.close(),
  };
}

/** Merge the event streams of several sources into one. */
async function* merge(streams: AsyncIterable<ReaderEvent>[], signal: AbortSignal): AsyncIterable<ReaderEvent> {
  const queue: ReaderEvent[] = [];
  let wake: (() => void) | undefined;
  let failure: unknown;
  let running = streams.length;
  for (const s of streams) {
    void (async () => {
      try {
        for await (const e of s) {
          queue.push(e);
          wake?.();
        }
      } catch (e) {
        failure ??= e;
      } finally {
        running--;
        wake?.();
      }
    })();
  }
  while (!signal.aborted) {
    const e = queue.shift();
    if (e) {
      yield e;
      continue;
    }
    if (failure !== undefined) throw failure;
    if (running === 0) return;
    await new Promise<void>((resolve) => {
      wake = resolve;
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }
}

/** The dashboard's deps over the given reader sources. */
export function depsFrom(sources: ReaderSource[], traceSink?: (line: string) => void): DashboardDeps {
  return {
    async listReaders() {
      const lists: ReaderInfo[] = [];
      let failure: unknown;
      for (const s of sources) {
        try {
          lists.push(...(await s.listReaders()));
        } catch (e) {
          failure ??= e;
        }
      }
      // A simulated card alone is still a dashboard; with no reader at all, say why.
      if (failure !== undefined && lists.length === 0) throw failure;
      return lists;
    },
    monitor: (signal) => merge(sources.map((s) => s.monitor(signal)), signal),
    async openCard(reader): Promise<CardConnection> {
      const source = sources.find((s) => s.owns(reader));
      if (!source) throw new UsageError(`No reader named '${reader}'`);
      const raw = await source.openCard(reader);
      // --trace mirrors the dashboard's APDU trace panel on stderr.
      const iso = withIsoResponses(traceSink ? withTrace(raw, traceSink, { label: reader }) : raw);
      return { ...iso, transmit: iso.transmit, close: () => raw.close() };
    },
    ops: gpOps(),
  };
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
  const sources: ReaderSource[] = [await pcscSource()];
  if (flags.sim !== undefined && flags.sim !== false) sources.push(await simSource(flags.sim));
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
