/**
 * How GlobalPlatform results look: text lines for people, JSON for scripts.
 * Hex appears only here, at the edge. Key material never does: only KCVs.
 */
import { equal, toHex } from "../stack/bytes.ts";
import { LINK_AID } from "../stack/link/constants.ts";
import { packageNameOf } from "../stack/cap/javacard-api.ts";
import type { RegistryEntry } from "../stack/gp/registry.ts";
import { lifecycleName } from "../stack/gp/lifecycle.ts";
import { privilegeNames } from "../stack/gp/privileges.ts";
import { implicitSelectionText } from "../stack/gp/implicit-selection.ts";
import { keyTypeName } from "../stack/gp/key-info.ts";
import type { Registry } from "../host/gp/registry.ts";
import type { CardInfo } from "../host/gp/info.ts";
import type { GpSession } from "../host/gp/session.ts";
import type { Fci } from "../stack/gp/fci.ts";

function versionText(v: Uint8Array | undefined): string | null {
  if (!v || v.length === 0) return null;
  return v.length === 2 ? `${v[0]}.${v[1]}` : toHex(v);
}

function lifecycleKind(e: RegistryEntry) {
  return e.kind === "load-file" ? "load-file" : e.kind === "app" ? "app" : e.kind === "isd" ? "card" : "domain";
}

/** One registry entry as JSON. */
function entryJson(e: RegistryEntry): Record<string, unknown> {
  return {
    kind: e.kind,
    aid: toHex(e.aid),
    lifecycle: lifecycleName(lifecycleKind(e), e.lifecycle),
    lifecycleByte: toHex(Uint8Array.of(e.lifecycle)),
    ...(e.kind === "load-file" ? {} : { privileges: privilegeNames(e.privileges) }),
    ...(e.loadFileAid ? { loadFile: toHex(e.loadFileAid) } : {}),
    ...(e.domainAid ? { domain: toHex(e.domainAid) } : {}),
    ...(e.implicitSelection ? { defaultOn: e.implicitSelection.map(implicitSelectionText) } : {}),
    ...(e.version ? { version: versionText(e.version) } : {}),
    ...(e.kind === "load-file" ? { modules: e.modules.map(toHex) } : {}),
  };
}

/** The secure channel as JSON: protocol, level, KCVs. */
export function channelJson(s: GpSession): Record<string, unknown> {
  return { isd: toHex(s.isd), scp: s.scp ?? null, level: s.level, blockSize: s.blockSize, kcv: s.kcvs ?? null };
}

/** One line about the channel, KCVs only. */
export function channelLine(s: GpSession): string {
  const k = s.kcvs;
  // SCP11 has no static symmetric keys: the card's ECKA key fingerprint instead.
  const kcv = k?.card ? ` card key ${k.card}` : k ? ` keys KCV ENC ${k.enc} MAC ${k.mac} DEK ${k.dek}` : "";
  return `ISD ${toHex(s.isd)}, SCP${s.scp ?? "?"} ${s.level},${kcv}`;
}

/** What a technician calls an entry: the link application, or a platform package by its dotted name. */
function entryName(e: RegistryEntry): string | undefined {
  if (e.kind === "app" && equal(e.aid, LINK_AID)) return "webcard link application (the card's web server)";
  return e.kind === "load-file" ? packageNameOf(toHex(e.aid)) : undefined;
}

/**
 * The registry as text, GlobalPlatformPro-like: one line per entry, details
 * indented. The platform's API packages (javacard.*, java.*, org.globalplatform)
 * are on every card and hidden unless `all`; one line says how many.
 */
export function registryLines(r: Registry, options: { all?: boolean } = {}): string[] {
  const out: string[] = [];
  const label = { isd: "ISD", domain: "SSD", app: "APP", "load-file": "PKG" } as const;
  const isdHex = r.isd[0] ? toHex(r.isd[0].aid) : undefined;
  const isApi = (e: RegistryEntry) => e.kind === "load-file" && packageNameOf(toHex(e.aid)) !== undefined;
  const hidden = options.all ? 0 : r.loadFiles.filter(isApi).length;
  for (const e of [...r.isd, ...r.apps, ...r.loadFiles]) {
    if (!options.all && isApi(e)) continue;
    out.push(`${label[e.kind]}: ${toHex(e.aid)} (${lifecycleName(lifecycleKind(e), e.lifecycle)})`);
    const name = entryName(e);
    if (name !== undefined) out.push(`     name: ${name}`);
    if (e.kind !== "load-file") {
      const privs = privilegeNames(e.privileges);
      if (privs.length) out.push(`     privileges: ${privs.join(", ")}`);
    }
    if (e.implicitSelection) out.push(`     default on: ${e.implicitSelection.map(implicitSelectionText).join("; ")}`);
    if (e.loadFileAid) out.push(`     from: ${toHex(e.loadFileAid)}`);
    if (e.version) out.push(`     version: ${versionText(e.version)}`);
    for (const m of e.modules) out.push(`     applet: ${toHex(m)}`);
    // A supplementary security domain it is associated with (GP 11.4.3 tag CC); the ISD's content goes unsaid.
    if (e.domainAid && e.kind !== "isd" && toHex(e.domainAid) !== isdHex) out.push(`     domain: ${toHex(e.domainAid)}`);
  }
  if (r.apps.length === 0 && r.loadFiles.length === 0) out.push("(no applications or packages besides the ISD)");
  if (hidden > 0) out.push(`(${hidden} Java Card API package${hidden === 1 ? "" : "s"} not shown: --all lists them)`);
  return out;
}

/** The registry as JSON. */
export function registryJson(r: Registry): Record<string, unknown> {
  return { isd: r.isd.map(entryJson), apps: r.apps.map(entryJson), loadFiles: r.loadFiles.map(entryJson) };
}

function fciJson(f: Fci): Record<string, unknown> {
  return {
    maxCommandData: f.maxCommandData ?? null,
    gpVersion: f.recognition?.gpVersion ?? null,
    scps: f.recognition?.scps.map((s) => ({ scp: scpName(s.scp), i: toHex(Uint8Array.of(s.i)) })) ?? [],
  };
}

/** A protocol number as GP writes it: 02, 03, 11 (its OID arc is the hex digits read as decimal: SCP11 is 0x11 = 17). */
function scpName(scp: number): string {
  return toHex(Uint8Array.of(scp));
}

/** Card information as JSON. */
export function infoJson(i: CardInfo): Record<string, unknown> {
  const rec = i.recognition ?? i.fci.recognition;
  return {
    isd: toHex(i.isd),
    fci: fciJson(i.fci),
    gpVersion: rec?.gpVersion ?? null,
    scps: rec?.scps.map((s) => ({ scp: scpName(s.scp), i: toHex(Uint8Array.of(s.i)) })) ?? [],
    iin: i.iin ? toHex(i.iin) : null,
    cin: i.cin ? toHex(i.cin) : null,
    cplc: i.cplc ? Object.fromEntries(i.cplc.map((f) => [f.name, f.hex])) : null,
    keys:
      i.keys?.map((k) => ({
        id: k.id,
        version: k.version,
        components: k.components.map((c) => ({ type: keyTypeName(c.type), length: c.length })),
      })) ?? [],
    scp11: i.scp11 ?? [],
  };
}

/** Card information as text. */
export function infoLines(i: CardInfo): string[] {
  const out = [`ISD: ${toHex(i.isd)}`];
  const rec = i.recognition ?? i.fci.recognition;
  if (rec?.gpVersion) out.push(`GlobalPlatform: ${rec.gpVersion}`);
  for (const s of rec?.scps ?? []) out.push(`Secure channel: SCP${scpName(s.scp)} i=${toHex(Uint8Array.of(s.i))}`);
  if (i.fci.maxCommandData !== undefined) out.push(`Max command data: ${i.fci.maxCommandData} bytes`);
  if (i.iin) out.push(`IIN: ${toHex(i.iin)}`);
  if (i.cin) out.push(`CIN: ${toHex(i.cin)}`);
  for (const k of i.keys ?? []) {
    const scp11 = i.scp11?.find((x) => x.kid === k.id && x.kvn === k.version);
    if (scp11) {
      const cert = scp11.subject
        ? `, certificate subject ${scp11.subject} issued by CA ${scp11.issuer}, valid to ${scp11.expires}, ${scp11.fingerprint}`
        : ", no readable GP certificate";
      out.push(`Key: version ${k.version} (0x${toHex(Uint8Array.of(k.version))}) id ${k.id} (0x${toHex(Uint8Array.of(k.id))}, SCP${scp11.variant}): ECC ${scp11.curve ?? "key"}${cert}`);
      continue;
    }
    const point = k.components.find((c) => c.type === 0xb0)?.length;
    if (k.id === 0x10 && point !== undefined) {
      // The CA-KLOC public key OCE certificates must chain to (amendment F 6.1); an uncompressed point's length names the curve.
      const curve = point === 65 ? "P-256" : point === 97 ? "P-384" : point === 133 ? "P-521" : "key";
      out.push(`Key: version ${k.version} (0x${toHex(Uint8Array.of(k.version))}) id 16 (0x10, CA-KLOC for OCE certificates): ECC ${curve}`);
      continue;
    }
    const comps = k.components.map((c) => `${keyTypeName(c.type)}-${c.length * 8}`).join(" ");
    out.push(`Key: version ${k.version} (0x${toHex(Uint8Array.of(k.version))}) id ${k.id}: ${comps}`);
  }
  if (i.cplc) out.push(`CPLC: ${i.cplc.map((f) => `${f.name}=${f.hex}`).join(" ")}`);
  return out;
}
