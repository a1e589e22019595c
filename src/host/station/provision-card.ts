/**
 * One card through the job: authenticate, load and install, personalise,
 * put the per-card keys, check. Each step is written to be run again on a
 * card that went through part of it (a station killed mid-card): what is
 * already on the card is found and not done twice, and the keys to open it
 * are chosen from what it lists. Every operation is the host's own
 * (src/host/gp): this file only orders them.
 */
import { CommandApdu } from "../../stack/apdu.ts";
import { concat, equal, toHex } from "../../stack/bytes.ts";
import { check } from "../../stack/check.ts";
import { errorLine, WebcardError } from "../../stack/errors.ts";
import { select } from "../../stack/gp/commands.ts";
import { encodeTlv } from "../../stack/tlv.ts";
import { inTransaction, send, type Transport } from "../../stack/transport/transport.ts";
import { openGpSession } from "../gp/connect.ts";
import { discoverIsd } from "../gp/discover.ts";
import { personalize } from "../gp/domains.ts";
import { keyVersionsOnCard } from "../gp/info.ts";
import { install, planInstalls } from "../gp/install.ts";
import { load } from "../gp/load.ts";
import { deleteAid } from "../gp/manage.ts";
import { checkReusable, findExisting } from "../gp/package-on-card.ts";
import { putKey } from "../gp/put-key.ts";
import { getStatusAll } from "../gp/registry.ts";
import type { GpSession } from "../gp/session.ts";
import { arrivalKeys, newKeySet, perCardKeys, rotated } from "./card-keys.ts";
import type { Job, PersonalizeStep } from "./job.ts";
import type { CardOutcome, DataRow } from "./record.ts";
import { fillBytes } from "./template.ts";

/** The steps, in order, as the live table and the record name them. */
export const STEPS = ["identity", "authenticate", "install", "personalize", "rotate", "check"] as const;
export type Step = (typeof STEPS)[number];

export interface CardWork {
  job: Job;
  transport: Transport;
  identity: string;
  row: DataRow | undefined;
  reader: string;
  station: string;
  onStep?: (step: Step) => void;
}

/** Run the job on the card; never throws for the card's sake: a failure is an outcome with its step and what the card holds. */
export async function provisionCard(work: CardWork): Promise<CardOutcome> {
  const started = new Date().toISOString();
  const outcome: CardOutcome = { identity: work.identity, result: "ok", reader: work.reader, station: work.station, started, finished: started, loaded: [], installed: [], personalized: 0, checks: [] };
  const progress = { step: "authenticate" as Step, loadedNow: [] as Uint8Array[], rotated: false, arrivalOptions: arrivalKeys(work.job) };
  try {
    await inTransaction(work.transport, "provisioning", () => steps(work, outcome, progress));
  } catch (error) {
    outcome.result = "failed";
    outcome.step = progress.step;
    outcome.error = errorLine(error);
    outcome.cardState = await cleanUp(work, progress);
  }
  outcome.finished = new Date().toISOString();
  return outcome;
}

interface Progress {
  step: Step;
  /** Packages this run loaded (not found on the card). */
  loadedNow: Uint8Array[];
  rotated: boolean;
  arrivalOptions: ReturnType<typeof arrivalKeys>;
}

async function steps(work: CardWork, outcome: CardOutcome, p: Progress): Promise<void> {
  const { job, transport, identity } = work;
  const enter = (step: Step) => {
    p.step = step;
    work.onStep?.(step);
  };
  enter("authenticate");
  await discoverIsd(transport);
  p.rotated = rotated(job, await keyVersionsOnCard(transport));
  let session = await openGpSession(transport, p.rotated ? perCardKeys(job, identity) : p.arrivalOptions);
  // APDU steps select other applications, which ends the secure channel: reopen it for the next GP command.
  let selectedElsewhere = false;
  const gp = async (): Promise<GpSession> => {
    if (selectedElsewhere) session = await openGpSession(transport, p.rotated ? perCardKeys(job, identity) : p.arrivalOptions);
    selectedElsewhere = false;
    return session;
  };

  enter("install");
  for (const i of job.installs) {
    const s = await gp();
    const plans = planInstalls(i.cap.cap, i.choices);
    const existing = await findExisting(s, i.cap.cap, plans.map((x) => x.instanceAid));
    const missing = plans.filter((x) => !existing.instances.some((a) => equal(a, x.instanceAid)));
    if (existing.loadFile) checkReusable({ ...existing, instances: [] }, i.cap.cap); // same version, or one clear line
    else {
      await load(s, i.cap.cap, i.sd ? { into: i.sd } : {});
      p.loadedNow.push(i.cap.cap.packageAid);
    }
    outcome.loaded.push({ cap: i.cap.name, package: toHex(i.cap.cap.packageAid), sha256: i.cap.sha256, reused: existing.loadFile !== undefined });
    if (missing.length > 0) {
      await install(s, i.cap.cap, { ...i.choices, applets: missing.map((x) => x.moduleAid), instances: missing.map((x) => x.instanceAid) });
    }
    outcome.installed.push(...plans.map((x) => toHex(x.instanceAid)));
  }

  enter("personalize");
  const values = { ...(work.row?.values ?? {}), identity };
  for (const step of job.personalize) {
    if (step.kind === "store-data") await personalize(await gp(), step.to, [storeDataBytes(step, values)], { format: step.format });
    else {
      await apduStep(transport, step, values);
      selectedElsewhere = true;
    }
    outcome.personalized++;
  }

  enter("rotate");
  if (job.keys.rotate) {
    const s = await gp();
    const kdd = s.secure?.kdd;
    if (!kdd) throw new WebcardError("Per-card keys need an SCP02 or SCP03 session (its KDD and DEK)");
    const keys = newKeySet(job, identity, kdd, s.secure!.scp);
    if (!p.rotated) {
      const r = await putKey(s, keys);
      p.rotated = true;
      selectedElsewhere = true; // the set in use is gone: the next GP command opens a session with the new keys
      outcome.keys = { version: r.version, kcv: r.kcvs };
    } else outcome.keys = { version: keys.version, kcv: keys.kcvs };
  }

  enter("check");
  if (job.checks.registry && job.installs.length > 0) {
    const apps = await getStatusAll((await gp()).channel, "apps");
    for (const aid of outcome.installed) {
      if (!apps.some((a) => toHex(a.aid) === aid)) throw new WebcardError(`Instance ${aid} is not in the card's registry after installing`);
    }
    outcome.checks.push("registry");
  }
  if (job.checks.authenticate) {
    session = await openGpSession(transport, perCardKeys(job, identity));
    selectedElsewhere = false;
    outcome.checks.push(`authenticate v${job.keys.rotate!.version}`);
  }
  for (const aid of job.checks.select) {
    check(await send(transport, select(aid)), `SELECT ${toHex(aid)}`);
    outcome.checks.push(`select ${toHex(aid)}`);
  }
  for (const a of job.checks.answers) {
    if (a.select) check(await send(transport, select(a.select)), `SELECT ${toHex(a.select)}`);
    const r = await send(transport, CommandApdu.parse(fillBytes(a.command, values)));
    if (r.sw !== a.sw) throw new WebcardError(`${a.place}: the card answered ${r.toString()}, the job expects SW ${a.sw.toString(16).toUpperCase()}`);
    if (a.response !== undefined && !equal(r.data, fillBytes(a.response, values))) throw new WebcardError(`${a.place}: the card's answer differs from the job's`);
    outcome.checks.push(`apdu ${a.place}`);
  }
}

/** The STORE DATA bytes of a step: its data template, or its TLV objects in order. */
function storeDataBytes(step: Extract<PersonalizeStep, { kind: "store-data" }>, values: Record<string, string>): Uint8Array {
  return concat(...step.parts.map((part) => (part.tag === undefined ? fillBytes(part.template, values) : encodeTlv(part.tag, fillBytes(part.template, values)))));
}

async function apduStep(transport: Transport, step: Extract<PersonalizeStep, { kind: "apdu" }>, values: Record<string, string>): Promise<void> {
  if (step.select) check(await send(transport, select(step.select)), `SELECT ${toHex(step.select)}`);
  for (const [n, text] of step.commands.entries()) {
    const r = await send(transport, CommandApdu.parse(fillBytes(text, values)));
    if (r.sw !== step.sw) throw new WebcardError(`${step.place}.commands[${n}]: the card answered ${r.toString()}, the job expects SW ${step.sw.toString(16).toUpperCase()}`);
  }
}

/**
 * After a failure: a card whose keys were not changed yet gets the packages
 * this run loaded deleted again, so it is as it arrived; one with its
 * per-card keys is left as it is, and said so. A card that cannot be
 * reached (removed) is said so too.
 */
async function cleanUp(work: CardWork, p: Progress): Promise<string> {
  if (p.step === "authenticate" || p.step === "identity") return "as it arrived (nothing was changed)";
  if (p.rotated) return `with its per-card keys (version ${work.job.keys.rotate!.version}); insert it again to finish the job`;
  if (p.loadedNow.length === 0) return p.step === "install" ? "as it arrived (nothing was loaded)" : "with the job's packages; insert it again to finish the job";
  try {
    await inTransaction(work.transport, "clean-up", async () => {
      const s = await openGpSession(work.transport, p.arrivalOptions);
      for (const aid of p.loadedNow) await deleteAid(s, aid, { force: true });
    });
    return "as it arrived (the packages this run loaded were deleted)";
  } catch (error) {
    return `holding what this run loaded (${p.loadedNow.map(toHex).join(", ")}): clean-up failed: ${errorLine(error)}`;
  }
}
