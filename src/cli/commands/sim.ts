/**
 * `webcard sim`: a simulated card attached to a vpcd reader, so that any
 * PC/SC program (pcsc_scan, opensc-tool, GlobalPlatformPro, webcard itself)
 * can use it. One line when attached, one line per refusal, clean exit on
 * SIGINT/SIGTERM. Keys are shown as KCVs only.
 */
import { UsageError, WebcardError } from "../../stack/errors.ts";
import type { Context } from "../context.ts";
import type { GlobalFlags } from "../options.ts";
import { factoryKeyFrom, scp11From, scpFrom, vpcdFrom } from "../option-values.ts";
import { ecKeyFile } from "../pem.ts";
import { curveByName, ecKeyPem, generateEcKey, type Curve, type EcKey } from "../../stack/gp/scp11/curves.ts";
import { fingerprint } from "../../stack/gp/scp11/fingerprint.ts";
import type { Scp11Variant } from "../../stack/gp/scp11/handshake.ts";
import { existsSync, writeFileSync } from "node:fs";
import { hexNumber } from "../../stack/bytes.ts";

/** Flags of `webcard sim`. */
export interface SimFlags extends GlobalFlags {
  vpcd?: string;
  state?: string;
  key?: string;
  scp?: string;
  memory?: string;
  javaCard?: string;
  open?: boolean;
  reset?: boolean;
  link?: boolean;
  jcvm?: string;
  traceVm?: boolean;
  maxBlock?: string;
  mandatedDap?: boolean;
  allowTerminate?: boolean;
  caKey?: string;
  curve?: string;
  s16?: boolean;
  profile?: string;
  profiles?: boolean;
  timing?: string;
}

/** The parsed `webcard sim` options. */
export interface SimSettings {
  host: string;
  port: number;
  statePath: string | undefined;
  key: Uint8Array | undefined;
  scp: 2 | 3 | undefined;
  memoryBytes: number | undefined;
  javaCardVersion: string | undefined;
  open: boolean;
  reset: boolean;
  link: boolean;
  /** Run installed applets on the JCVM (--jcvm on, the default) or answer as stubs (off). */
  jcvm: boolean;
  traceVm: boolean;
  maxBlock: number | undefined;
  mandatedDap: boolean;
  allowTerminate: boolean;
  /** SCP11 beside SCP03: the variants, the curve (when given) and the CA key file (when given). */
  scp11: { variants: Scp11Variant[]; curve: Curve | undefined; caKey: string | undefined; macLength: 8 | 16 } | undefined;
}

/** How long `webcard sim` waits for vpcd before saying that it is waiting. */
const WAIT_NOTICE_MS = 2000;

/** `--memory 65536`, `64K`, `1M`. */
export function memoryFrom(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\s*([kKmM]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`--memory must be a number of bytes (or with K/M), got '${text}'`);
  return Number(m[1]) * (m[2] === "" ? 1 : m[2]!.toLowerCase() === "k" ? 1024 : 1024 * 1024);
}

/** `--max-block N`: 1-65535 bytes. */
function maxBlockFrom(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(String(text).trim()) || n < 1 || n > 65535) throw new UsageError(`--max-block must be 1 to 65535 bytes, got '${text}'`);
  return n;
}

/** Parse the flags (UsageError on bad values). */
function simSettings(flags: SimFlags): SimSettings {
  const { host, port } = vpcdFrom(flags.vpcd);
  return {
    host,
    port,
    statePath: flags.state,
    key: factoryKeyFrom(flags.key),
    scp: scpFrom(flags.scp),
    memoryBytes: memoryFrom(flags.memory),
    javaCardVersion: flags.javaCard,
    open: flags.open === true,
    reset: flags.reset === true,
    link: flags.link !== false,
    jcvm: jcvmFrom(flags.jcvm),
    traceVm: flags.traceVm === true,
    maxBlock: maxBlockFrom(flags.maxBlock),
    mandatedDap: flags.mandatedDap === true,
    allowTerminate: flags.allowTerminate === true,
    scp11: scp11Settings(flags),
  };
}

function jcvmFrom(text: string | undefined): boolean {
  if (text === undefined || text === "on") return true;
  if (text === "off") return false;
  throw new UsageError(`--jcvm must be on or off, got '${text}'`);
}

function scp11Settings(flags: SimFlags): SimSettings["scp11"] {
  const variants = scp11From(flags.scp);
  if (!variants) {
    if (flags.caKey !== undefined || flags.curve !== undefined || flags.s16) throw new UsageError("--ca-key, --curve and --s16 go with --scp 11 (or 11a, 11b, 11c)");
    return undefined;
  }
  return { variants, curve: flags.curve === undefined ? undefined : curveByName(flags.curve), caKey: flags.caKey, macLength: flags.s16 ? 16 : 8 };
}

/** The CA key: the file given, else the one kept beside the state file (made on first use, mode 600). */
function simCa(s: NonNullable<SimSettings["scp11"]>, statePath: string, say: (line: string) => void): EcKey & { d: Uint8Array } {
  const path = s.caKey ?? `${statePath}.scp11-ca.pem`;
  if (s.caKey !== undefined || existsSync(path)) {
    const key = ecKeyFile(path, "CA key");
    if (!key.d) throw new UsageError(`CA key ${path} holds no private key: the card's certificate must be signed with it`);
    return key as EcKey & { d: Uint8Array };
  }
  const key = generateEcKey(s.curve ?? curveByName("P-256"));
  writeFileSync(path, ecKeyPem(key), { mode: 0o600 });
  say(`webcard sim: made the SCP11 CA key ${path} (${key.curve.name} ${fingerprint(key.point)}): give it to webcard keys generate-oce --ca-key`);
  return key;
}

export async function simCommand(ctx: Context, flags: SimFlags): Promise<void> {
  if (flags.profiles) {
    const { listProfiles } = await import("./profiles.ts");
    return listProfiles(ctx);
  }
  const s = simSettings(flags);
  const { profileNamed } = await import("../../card/profiles/catalogue.ts");
  const profile = flags.profile === undefined ? undefined : profileNamed(flags.profile);
  const { createWebCard } = await import("../../card/link/with-link.ts");
  const { defaultStatePath } = await import("../../card/state-path.ts");
  const { attachToVpcd, VPCD_MAX_COMMAND_DATA, VPCD_MAX_RESPONSE_DATA } = await import("../../card/vpcd-link.ts");
  const { setQuickAck } = await import("../../ffi/libc.ts");
  const statePath = s.statePath ?? defaultStatePath();
  const log = (line: string) => ctx.err(`card: ${line}`);
  // The link announces only what one vpcd message can carry.
  const linkOptions = { maxCommand: VPCD_MAX_COMMAND_DATA, maxResponse: VPCD_MAX_RESPONSE_DATA };
  const ca = s.scp11 ? simCa(s.scp11, statePath, ctx.err) : undefined;
  const card = createWebCard({
    ...(s.scp11 && ca ? { scp11: { variants: s.scp11.variants, curve: s.scp11.curve ?? ca.curve, ca, macLength: s.scp11.macLength } } : {}),
    statePath,
    ...(s.key ? { key: s.key } : {}),
    ...(s.scp ? { scp: s.scp } : {}),
    ...(s.memoryBytes !== undefined ? { memoryBytes: s.memoryBytes } : {}),
    ...(s.javaCardVersion ? { javaCardVersion: s.javaCardVersion } : {}),
    open: s.open,
    reset: s.reset,
    // A damaged memory: the card stays in the reader answering 6A81, and says why once on stderr.
    whenDamaged: "answer",
    ...(s.maxBlock !== undefined ? { maxBlock: s.maxBlock } : {}),
    mandatedDap: s.mandatedDap,
    allowTerminate: s.allowTerminate,
    log,
    ...(profile ? { profile } : {}),
    ...(flags.timing !== undefined ? { timing: String(flags.timing) } : {}),
    link: s.link,
    linkOptions,
    jcvm: s.jcvm,
    ...(s.traceVm ? { traceVm: (line: string) => ctx.err(`vm: ${line}`) } : {}),
  });
  const keys = card
    .keyCheckValues()
    .map((k) => `SCP0${k.scp} key set ${hexNumber(k.version)} KCV ENC ${k.enc} MAC ${k.mac} DEK ${k.dek}`)
    .join("; ");
  const summary = card.scp11Summary();
  const scp11 = summary
    ? `; SCP11 ${summary.variants.join("/")} key ${hexNumber(summary.kvn)} ${summary.curve} S${summary.macLength} ${summary.sdKey}, CA ${summary.caKey}`
    : "";
  const link = attachToVpcd(card, {
    host: s.host,
    port: s.port,
    reconnect: true,
    quickAck: setQuickAck,
    onError: (error) => ctx.err(`webcard sim: vpcd ${s.host}:${s.port}: ${error.message}`),
  });
  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await link.close().catch(() => {});
      card.close();
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  // Without pcscd (or with vpcd on another port) the link retries quietly: say once what it waits for.
  const notice = setTimeout(
    () => ctx.err(`webcard sim: waiting for vpcd at ${s.host}:${s.port} (is pcscd running with the vpcd driver?)`),
    WAIT_NOTICE_MS,
  );
  try {
    await Promise.race([link.connected, stopped]);
  } catch (error) {
    card.close();
    throw new WebcardError(`Cannot attach to vpcd at ${s.host}:${s.port}`, {
      cause: error,
      hint: "is pcscd running with the vpcd driver (vsmartcard-vpcd)?",
    });
  } finally {
    clearTimeout(notice);
  }
  if (!stopping) {
    const mode = `${s.open ? ", open (no secure channel needed)" : ""}${s.link && card.profile.link ? "" : ", no link application"}${s.jcvm ? "" : ", applets not run (--jcvm off)"}`;
    const t = card.timing;
    const as = `${card.profile.name === "gp23" ? "" : `; profile ${card.profile.name}`}${t ? `; timing ${t.label} at ${t.bitRate} bit/s` : ""}`;
    ctx.out(`Simulated card attached to vpcd ${s.host}:${s.port}; state ${statePath}${as}; ${keys}${scp11}${mode}`);
  }
  await stopped;
}
