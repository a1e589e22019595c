/**
 * `webcard job check|verify|report JOB`: check a job file and all it names
 * (one line per mistake, with its place), verify the hash chain of the
 * job's record, print the record (text, --csv, --json).
 */
import { checkJobFile } from "../../host/station/job-check.ts";
import type { Job } from "../../host/station/job.ts";
import { UsageError, WebcardError } from "../../stack/errors.ts";
import { toHex } from "../../stack/bytes.ts";
import { planInstalls } from "../../host/gp/install.ts";
import type { Context } from "../context.ts";
import type { JobFlags } from "./job-record.ts";
import { readLoadFile } from "../load-file.ts";

export type { JobFlags } from "./job-record.ts";

const ACTIONS = ["check", "verify", "report"] as const;

/** Read and check the job file, or fail with every mistake (one line each) and a count. */
export function loadJob(ctx: Context, file: string): Job {
  const r = checkJobFile(file, { readCap: readLoadFile });
  if (r.ok) return r.job;
  if (ctx.json) ctx.printJson({ ok: false, problems: r.problems });
  for (const p of r.problems) ctx.err(`${p.place}: ${p.message}`);
  throw new WebcardError(`The job has ${r.problems.length} mistake${r.problems.length === 1 ? "" : "s"}: nothing was done`);
}

export async function jobCommand(ctx: Context, action: string, file: string, flags: JobFlags): Promise<void> {
  if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`Unknown job action '${action}': use ${ACTIONS.join(", ")}`);
  // The record is read without the job's keys and files: it says what was done, whatever the job file says now.
  if (action !== "check") {
    const { recordCommand } = await import("./job-record.ts");
    return recordCommand(ctx, action as "verify" | "report", file, flags);
  }
  printCheck(ctx, loadJob(ctx, file));
}

/** What the job will do, keys as check values only. */
function printCheck(ctx: Context, job: Job): void {
  const rotate = job.keys.rotate;
  const summary = {
    ok: true,
    name: job.name,
    hash: job.hash,
    identity: job.identity.kind === "tag" ? `tag:${job.identity.tag.toString(16).toUpperCase()}` : job.identity.kind,
    caps: job.caps.map((c) => ({ file: c.name, package: toHex(c.cap.packageAid), sha256: c.sha256 })),
    install: job.installs.flatMap((i) => planInstalls(i.cap.cap, i.choices).map((p) => ({ cap: i.cap.name, applet: toHex(p.moduleAid), instance: toHex(p.instanceAid) }))),
    keys: {
      card: { kcv: job.keys.card.keys.kcvs, kdf: job.keys.card.kdf, version: job.keys.card.version },
      rotate: rotate === undefined ? undefined : rotate.kind === "master" ? { master: rotate.master.kcvs, kdf: rotate.kdf, version: rotate.version } : { csv: rotate.file, cards: rotate.byIdentity.size, version: rotate.version },
    },
    data: job.data ? { csv: job.data.file, rows: job.data.csv.rows.length, match: job.data.match } : undefined,
    personalize: job.personalize.length,
    checks: { registry: job.checks.registry, authenticate: job.checks.authenticate, select: job.checks.select.length, apdu: job.checks.answers.length },
  };
  if (ctx.json) return ctx.printJson(summary);
  ctx.out(`Job '${job.name}' is ready (${job.hash.slice(0, 16)})`);
  ctx.out(`  identity: ${summary.identity}`);
  for (const c of summary.caps) ctx.out(`  CAP ${c.file}: package ${c.package}, SHA-256 ${c.sha256}`);
  for (const i of summary.install) ctx.out(`  install ${i.applet} as ${i.instance}`);
  const k = job.keys.card.keys.kcvs;
  ctx.out(`  card keys: KCV ${k.enc} ${k.mac} ${k.dek}${job.keys.card.kdf === "none" ? "" : ` (${job.keys.card.kdf})`}`);
  if (rotate?.kind === "master") ctx.out(`  per-card keys: master KCV ${rotate.master.kcvs.enc} diversified with ${rotate.kdf}, version ${rotate.version}`);
  if (rotate?.kind === "csv") ctx.out(`  per-card keys: ${rotate.byIdentity.size} cards in ${rotate.file}, version ${rotate.version}`);
  if (job.data) ctx.out(`  data: ${job.data.csv.rows.length} rows in ${job.data.file}, by ${job.data.match}`);
  ctx.out(`  ${job.personalize.length} personalisation step(s); checks: ${[job.checks.registry && "registry", job.checks.authenticate && "per-card keys", job.checks.select.length && `${job.checks.select.length} SELECT`, job.checks.answers.length && `${job.checks.answers.length} APDU`].filter(Boolean).join(", ") || "none"}`);
}
