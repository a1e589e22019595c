/**
 * `webcard station JOB [--readers PATTERN] [--db FILE | --queue postgres://...]`:
 * run the job on every card put in the readers until stopped (Ctrl-C or
 * SIGTERM: the cards in progress finish first). A live table on a terminal;
 * with --json one JSON object a line per event.
 */
import { hostname } from "node:os";
import { UsageError } from "../../stack/errors.ts";
import { pcscRack } from "../../host/station/rack.ts";
import { defaultRecordPath, describeDb, RecordStore } from "../../host/station/record-store.ts";
import { Station, type StationEvent } from "../../host/station/station.ts";
import type { Context } from "../context.ts";
import type { GlobalFlags } from "../options.ts";
import { eventLine, liveTable } from "../station-table.ts";
import { loadJob } from "./job.ts";

export interface StationFlags extends GlobalFlags {
  readers?: string;
  db?: string;
  queue?: string;
  station?: string;
  timeout?: string;
  ui?: boolean;
  port?: string;
}

export async function stationCommand(ctx: Context, file: string, flags: StationFlags): Promise<void> {
  if (flags.db !== undefined && flags.queue !== undefined) throw new UsageError("Give either --db (a SQLite record) or --queue (a PostgreSQL queue), not both");
  if (flags.queue !== undefined && !/^postgres(ql)?:\/\//i.test(flags.queue)) throw new UsageError("--queue takes a postgres://user@host/database URL");
  const seconds = flags.timeout === undefined ? 30 : Number(flags.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout must be a number of seconds, got '${flags.timeout}'`);
  const job = loadJob(ctx, file);
  const store = await RecordStore.open(flags.queue ?? flags.db ?? defaultRecordPath(file));
  try {
    await store.bind(job);
    const name = flags.station ?? `${hostname()}:${process.pid}`;
    const tty = !ctx.json && process.stdout.isTTY === true;
    let table: ReturnType<typeof liveTable> | undefined;
    const onEvent = (e: StationEvent) => {
      if (ctx.json) {
        if (e.event === "card") return ctx.out(JSON.stringify({ event: "card", ms: e.ms, ...e.record }));
        return ctx.out(JSON.stringify(e.event === "reader" ? { event: "reader", ...e.view } : e));
      }
      if (table) return table.draw();
      const line = eventLine(e);
      if (line) ctx.out(line);
    };
    const station = new Station({ job, store, rack: pcscRack({ timeoutMs: seconds * 1000, ...(flags.readers ? { pattern: flags.readers } : {}) }), station: name, onEvent });
    if (tty) table = liveTable(station, (t) => process.stdout.write(t), () => process.stdout.columns ?? 80);
    const ui = flags.ui ? await serveStationView(ctx, station, job.name, describeDb(store.where), flags.port) : undefined;
    const stop = new AbortController();
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
    if (!ctx.json) ctx.err(`Station ${name}: job '${job.name}', record at ${describeDb(store.where)}${flags.readers ? `, readers matching '${flags.readers}'` : ""}; Ctrl-C stops after the cards in progress`);
    await station.run(stop.signal);
    await ui?.();
    const c = station.counts;
    if (!ctx.json) ctx.err(`Stopped: ${c.done} done, ${c.failed} failed, ${c.alreadyDone} already done`);
  } finally {
    await store.close();
  }
}

/** `--ui`: the dashboard with the station view at /station; returns its stop. */
async function serveStationView(ctx: Context, station: Station, job: string, record: string, portText: string | undefined): Promise<() => Promise<void>> {
  const port = portText === undefined ? 0 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number 0-65535, got '${portText}'`);
  const { serveDashboard } = await import("../../web/serve.ts");
  const { depsFrom, pcscSource } = await import("../reader-sources.ts");
  const sources = [await pcscSource()];
  const served = serveDashboard(depsFrom(sources), { port, station: { station, job, record } });
  const url = served.url.replace("/?token=", "/station?token=");
  if (ctx.json) ctx.out(JSON.stringify({ event: "ui", url }));
  else ctx.err(`Station view: ${url} (keep it private: its token opens the dashboard)`);
  return async () => {
    await served.stop();
    for (const s of sources) await s.close?.();
  };
}
