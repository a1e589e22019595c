/**
 * Where the dashboard's readers come from: PC/SC (src/host/pcsc) and, with
 * `ui --sim`, an in-process simulated card (src/card). Only the wiring layer
 * knows both; the dashboard (src/web) gets one DashboardDeps over them.
 */
import { UsageError } from "../stack/errors.ts";
import { withIsoResponses } from "../stack/transport/get-response.ts";
import { withTrace } from "../stack/transport/trace.ts";
import { withTimeLimit } from "../stack/transport/time-limit.ts";
import type { CardConnection, DashboardDeps, ReaderEvent, ReaderInfo } from "../web/deps.ts";
import { gpOps } from "../web/gp-ops.ts";
import { mergeStreams } from "./merge-streams.ts";

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
export async function pcscSource(timeoutMs?: number): Promise<ReaderSource> {
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
    openCard: (reader) => connectReader({ reader, ...(timeoutMs === undefined ? {} : { timeoutMs }) }),
  };
}

/** The name the simulated card's reader has on the dashboard. */
const SIM_READER = "Simulated card (webcard)";

/** The in-process simulated card (with the link application) as one more reader. */
export async function simSource(sim: string | true, javaCardVersion?: string, timeoutMs?: number, profileName?: string): Promise<ReaderSource> {
  const { createWebCard } = await import("../card/link/with-link.ts");
  const { inProcessTransport } = await import("../card/in-process.ts");
  const { defaultStatePath } = await import("../card/state-path.ts");
  const { profileNamed } = await import("../card/profiles/catalogue.ts");
  const statePath = sim === true || sim === "" ? defaultStatePath() : sim;
  const profile = profileName === undefined ? undefined : profileNamed(profileName);
  const card = createWebCard({ statePath, ...(javaCardVersion ? { javaCardVersion } : {}), ...(profile ? { profile } : {}) });
  // The card's profile says T=0 or T=1 (docs/profiles.md); the dashboard's ISO layer follows it.
  const protocol = card.profile.protocol;
  return {
    async listReaders() {
      return [{ name: SIM_READER, cardPresent: true, atr: card.atr(), protocol, simulated: true }];
    },
    async *monitor(signal) {
      // The simulated card never leaves its reader.
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    },
    owns: (reader) => reader === SIM_READER,
    async openCard() {
      const plain = inProcessTransport(card, { name: SIM_READER });
      const t = timeoutMs === undefined ? plain : withTimeLimit(plain, timeoutMs);
      return { ...t, name: SIM_READER, protocol, transmit: t.transmit, close: async () => t.close?.() };
    },
    close: async () => card.close(),
  };
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
    monitor: (signal) => mergeStreams(sources.map((s) => s.monitor(signal)), signal),
    async openCard(reader): Promise<CardConnection> {
      const source = sources.find((s) => s.owns(reader));
      if (!source) throw new UsageError(`No reader named '${reader}'`);
      const raw = await source.openCard(reader);
      // --trace mirrors the dashboard's APDU trace panel on stderr.
      const t0 = "protocol" in raw && raw.protocol === "T=0";
      const iso = withIsoResponses(traceSink ? withTrace(raw, traceSink, { label: reader }) : raw, { t0 });
      return { ...iso, transmit: iso.transmit, close: () => raw.close() };
    },
    ops: gpOps(),
  };
}
