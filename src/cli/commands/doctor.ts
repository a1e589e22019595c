/** `webcard doctor`: a report on the card for a support ticket (docs/doctor.md). */
import { doctor, type DoctorReport } from "../../host/gp/doctor.ts";
import { shippedProfiles } from "../../card/profiles/catalogue.ts";
import { QUIRKS } from "../../stack/gp/quirks.ts";
import { toHex } from "../../stack/bytes.ts";
import { hexNumber } from "../../stack/hex.ts";
import { REFERENCE_CLOCK_HZ } from "../../stack/atr.ts";
import { parseCardResources } from "../../web/card-resources.ts";
import type { Context } from "../context.ts";
import type { TargetFlags } from "../options.ts";
import { aidFrom, numberFrom } from "../option-values.ts";
import { withTarget } from "../session.ts";
import { infoJson, infoLines } from "../format.ts";
import { VERSION } from "../version.ts";

/** Flags of `webcard doctor`. */
export interface DoctorFlags extends TargetFlags {
  isd?: string;
  initUpdate?: boolean;
  keyVersion?: string;
}

export async function doctorCommand(ctx: Context, flags: DoctorFlags): Promise<void> {
  const isd = flags.isd === undefined ? undefined : aidFrom(flags.isd, "ISD AID");
  const keyVersion = numberFrom("key-version", flags.keyVersion, 0, 0x7f);
  await withTarget(ctx, flags, async (target) => {
    const report = await doctor(target.transport, {
      atr: target.atr,
      protocol: target.protocol,
      ...(isd ? { isd } : {}),
      ...(flags.initUpdate ? { initUpdate: true } : {}),
      ...(keyVersion === undefined ? {} : { keyVersion }),
      profiles: shippedProfiles(),
    });
    if (ctx.json) return ctx.printJson({ webcard: VERSION, target: target.describe, ...doctorJson(report) });
    ctx.out(`webcard ${VERSION} doctor: ${target.describe}`);
    for (const line of doctorLines(report)) ctx.out(line);
  });
}


/** The report as JSON (docs/doctor.md lists the fields). */
export function doctorJson(r: DoctorReport): Record<string, unknown> {
  const a = r.atrInfo;
  return {
    atr: {
      hex: r.atr,
      protocol: r.protocol,
      ...(a
        ? {
            protocols: a.protocols,
            fi: a.fi,
            di: a.di,
            fmaxMHz: a.fmaxMHz,
            bitsPerSecond: a.bitsPerSecond,
            specificMode: a.specificMode,
            historical: toHex(a.historical),
            historicalText: a.historicalText ?? null,
            category: a.category,
            tckOk: a.tckOk ?? null,
          }
        : { problem: r.atrProblem }),
    },
    ...(r.info ? infoJson(r.info) : {}),
    cplcNames: r.cplcNames ?? null,
    refused: Object.fromEntries(Object.entries(r.info?.refused ?? {}).map(([tag, sw]) => [tag, hexNumber(sw, 4)])),
    memory: r.resources ? parseCardResources(r.resources) : null,
    javaCard: r.javaCard ?? null,
    initUpdate: r.initUpdate ? { ...r.initUpdate, sw: hexNumber(r.initUpdate.sw, 4), ...(r.initUpdate.i === undefined ? {} : { i: hexNumber(r.initUpdate.i) }) } : null,
    quirks: r.quirks.map((q) => ({ name: q, ...QUIRKS[q] })),
    resembles: r.resembles,
    problem: r.problem ?? null,
  };
}

/** The report as text, one fact a line. */
export function doctorLines(r: DoctorReport): string[] {
  const out: string[] = [`ATR: ${r.atr}`];
  const a = r.atrInfo;
  if (a) {
    out.push(`  protocol ${r.protocol} (card offers ${a.protocols.join(", ")}${a.specificMode ? ", specific mode" : ""})`);
    const mhz = (REFERENCE_CLOCK_HZ / 1e6).toFixed(4);
    out.push(`  TA1: Fi ${a.fi}, Di ${a.di}: ${a.bitsPerSecond.toLocaleString("en-US")} bit/s at ${mhz} MHz (card clock up to ${a.fmaxMHz} MHz)`);
    const text = a.historicalText ? ` "${a.historicalText}"` : "";
    out.push(`  historical bytes: ${toHex(a.historical) || "none"}${text}, category ${a.category}`);
    if (a.tck !== undefined) out.push(`  TCK ${hexNumber(a.tck)} ${a.tckOk ? "(correct)" : "(WRONG: the ATR is damaged)"}`);
  } else {
    out.push(`  not decodable: ${r.atrProblem}`);
  }
  if (r.info) {
    out.push(...infoLines(r.info));
    const n = r.cplcNames;
    if (n?.placeholder) out.push("  CPLC is a placeholder (every byte the same): the card keeps no production data there");
    const names = [n?.fabricator && `IC fabricator ${n.fabricator}`, n?.operatingSystem && `OS ${n.operatingSystem}`, n?.platform && `platform ${n.platform}`].filter(Boolean);
    if (names.length > 0) out.push(`  CPLC says: ${names.join(", ")}`);
    if (n && n.badDates.length > 0) out.push(`  CPLC dates that are not YDDD: ${n.badDates.join(", ")}`);
    for (const [tag, sw] of Object.entries(r.info.refused ?? {})) out.push(`GET DATA ${tag}: not given (${hexNumber(sw, 4)})`);
    if (r.info.fci.maxCommandData === undefined) out.push("Max command data: not announced (no 9F65): LOAD blocks of 255 bytes");
    if (r.info.fci.productionData) out.push(`9F6E (production life cycle data): ${toHex(r.info.fci.productionData)}`);
  }
  const memory = r.resources ? parseCardResources(r.resources) : [];
  out.push(memory.length > 0 ? `Memory: ${memory.map((m) => `${m.label.toLowerCase()} ${m.value}`).join(", ")}` : "Memory: the card does not say (GET DATA FF21)");
  out.push(`Java Card: ${r.javaCard ?? "the card does not say (no Java Card OID in its card recognition data)"}`);
  const iu = r.initUpdate;
  if (iu) {
    out.push(
      iu.scp === undefined
        ? `INITIALIZE UPDATE: answered ${hexNumber(iu.sw, 4)}`
        : `INITIALIZE UPDATE: SCP0${iu.scp}${iu.i === undefined ? "" : ` i=${hexNumber(iu.i)}`}, key version ${hexNumber(iu.keyVersion ?? 0)}, KDD ${iu.kdd}${iu.counter ? `, counter ${iu.counter}` : ""} (no EXTERNAL AUTHENTICATE sent)`,
    );
  }
  if (r.problem) out.push(`Stopped: ${r.problem}`);
  out.push(r.quirks.length > 0 ? "Quirks webcard copes with on this card:" : "Quirks: none seen without authentication");
  for (const q of r.quirks) out.push(`  ${q}: the card ${QUIRKS[q].card}; webcard ${QUIRKS[q].terminal}`);
  const [best, ...others] = r.resembles;
  if (best) {
    out.push(`Resembles: ${best.name} (${best.title}), score ${best.score}: agrees on ${best.agrees.join(", ") || "nothing"}${best.differs.length > 0 ? `; differs on ${best.differs.join(", ")}` : ""}`);
    if (!best.agrees.includes("ATR")) out.push("  no profile has this card's ATR: the closest by the other facts, not this card");
    for (const o of others) out.push(`  then ${o.name} (${o.title}), score ${o.score}`);
  }
  return out;
}
