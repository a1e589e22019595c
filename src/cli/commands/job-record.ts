/** `webcard job verify|report JOB [--db FILE|URL] [--csv|--json]`: the job's record, its hash chain and its rows. */
import { existsSync } from "node:fs";
import { defaultRecordPath, describeDb, RecordStore } from "../../host/station/record-store.ts";
import type { CardRecord } from "../../host/station/record.ts";
import { WebcardError } from "../../stack/errors.ts";
import type { Context } from "../context.ts";
import type { GlobalFlags } from "../options.ts";

/** Flags of `webcard job`. */
export interface JobFlags extends GlobalFlags {
  db?: string;
  csv?: boolean;
}

/** Open the record a job's flags name; a SQLite file that is not there is an error, not a new empty record. */
export async function openRecord(jobFile: string, flags: JobFlags, create: boolean): Promise<RecordStore> {
  const where = flags.db ?? defaultRecordPath(jobFile);
  if (!create && !/^postgres(ql)?:\/\//i.test(where) && !existsSync(where)) {
    throw new WebcardError(`No record at ${where}: no station has run this job yet`, { hint: flags.db ? "check --db" : "give the record with --db FILE|URL if it is elsewhere" });
  }
  return RecordStore.open(where);
}

export async function recordCommand(ctx: Context, action: "verify" | "report", jobFile: string, flags: JobFlags): Promise<void> {
  const store = await openRecord(jobFile, flags, false);
  try {
    if (action === "verify") return await verify(ctx, store);
    const rows = await store.records();
    if (ctx.json) return ctx.printJson(rows);
    if (flags.csv) return printCsv(ctx, rows);
    printTable(ctx, rows);
  } finally {
    await store.close();
  }
}

async function verify(ctx: Context, store: RecordStore): Promise<void> {
  const r = await store.verify();
  if (ctx.json) ctx.printJson({ ok: r.problems.length === 0, rows: r.rows, problems: r.problems });
  else for (const p of r.problems) ctx.err(`${describeDb(store.where)}: ${p}`);
  if (r.problems.length > 0) throw new WebcardError(`The record at ${describeDb(store.where)} fails its hash chain: ${r.problems.length} problem${r.problems.length === 1 ? "" : "s"} in ${r.rows} rows`);
  if (!ctx.json) ctx.out(`The record at ${describeDb(store.where)} is intact: ${r.rows} row${r.rows === 1 ? "" : "s"}, each chained to the one before`);
}

const CSV_COLUMNS = ["seq", "identity", "result", "step", "error", "card_state", "reader", "station", "started", "finished", "data_row", "data_line", "packages", "instances", "key_version", "kcv_enc", "kcv_mac", "kcv_dek", "checks"] as const;

function csvField(v: unknown): string {
  const s = v === undefined || v === null ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function printCsv(ctx: Context, rows: CardRecord[]): void {
  ctx.out(CSV_COLUMNS.join(","));
  for (const r of rows) {
    const values = [r.seq, r.identity, r.result, r.step, r.error, r.cardState, r.reader, r.station, r.started, r.finished, r.dataRow, r.dataLine,
      r.loaded.map((l) => `${l.package}:${l.sha256}`).join(" "), r.installed.join(" "), r.keys?.version, r.keys?.kcv.enc, r.keys?.kcv.mac, r.keys?.kcv.dek, r.checks.join(" ")];
    ctx.out(values.map(csvField).join(","));
  }
}

function printTable(ctx: Context, rows: CardRecord[]): void {
  if (rows.length === 0) return ctx.out("No cards in the record yet");
  for (const r of rows) {
    const keys = r.keys ? ` keys v${r.keys.version} KCV ${r.keys.kcv.enc}` : "";
    const data = r.dataLine === undefined ? "" : ` data line ${r.dataLine}`;
    const what = r.result === "ok" ? `ok${data}${keys}` : `FAILED at ${r.step}: ${r.error}${r.cardState ? ` (card ${r.cardState})` : ""}`;
    ctx.out(`${String(r.seq).padStart(4)}  ${r.finished}  ${r.identity}  ${r.reader}  ${what}`);
  }
  const ok = rows.filter((r) => r.result === "ok").length;
  ctx.out(`${ok} card${ok === 1 ? "" : "s"} done, ${rows.length - ok} failure${rows.length - ok === 1 ? "" : "s"}`);
}
