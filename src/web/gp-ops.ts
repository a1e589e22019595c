/**
 * The dashboard's card operations on GlobalPlatform (src/host/gp): read
 * the card, load and install with progress, delete, lock, unlock; and the
 * card's own web pages over the web-card link. Each runs on a connection
 * the dashboard opened and locked; secure channels use the session keys
 * (the GlobalPlatform test key when none were entered).
 */
import { fromHex, toHex } from "../stack/bytes.ts";
import { UsageError, errorLine } from "../stack/errors.ts";
import { aidFromText } from "../stack/aid.ts";
import { parseLoadFile } from "../stack/cap/load-file.ts";
import { versionText } from "../stack/cap/header.ts";
import { packageNameOf } from "../stack/cap/javacard-api.ts";
import { getData } from "../stack/gp/commands.ts";
import { DATA_TAG } from "../stack/gp/constants.ts";
import { defaultKeys } from "../stack/gp/keys.ts";
import { keyTypeName } from "../stack/gp/key-info.ts";
import { lifecycleName } from "../stack/gp/lifecycle.ts";
import { selectLink } from "../stack/link/client.ts";
import { send, type Transport } from "../stack/transport/transport.ts";
import { openGpSession } from "../host/gp/connect.ts";
import { info } from "../host/gp/info.ts";
import { deleteChecked, deletedLine, setLockedChecked } from "../host/gp/delete-guard.ts";
import { list } from "../host/gp/registry.ts";
import type { GpSession } from "../host/gp/session.ts";
import { parseCardResources } from "./card-resources.ts";
import type { CapSummary, CardOps, CardOverview, OpContext } from "./deps.ts";
import { cardFetch } from "../host/link/card-web.ts";
import { installFromDashboard } from "./install-op.ts";

/** An authenticated GlobalPlatform session with the session keys (the test key when none were entered). */
export function session(ctx: OpContext): Promise<GpSession> {
  const k = ctx.keys;
  return openGpSession(ctx.transport, {
    keys: k?.keys ?? defaultKeys(),
    kdf: k?.kdf ?? "none",
    level: "mac",
    ...(k?.scp ? { scp: k.scp } : {}),
    ...(k?.scp11 ? { scp11: { ...k.scp11, level: "mac" as const } } : {}),
  });
}

function aidOf(text: string): Uint8Array {
  const aid = aidFromText(text);
  if (aid === undefined) throw new UsageError(`'${text}' is not an AID: give 5 to 16 bytes in hex`);
  return aid;
}

/** Read a CAP file for the install form. */
export function inspectCap(bytes: Uint8Array): CapSummary {
  const cap = parseLoadFile(bytes);
  return {
    packageAid: toHex(cap.packageAid),
    ...(cap.packageName ? { packageName: cap.packageName } : {}),
    version: versionText(cap.packageVersion),
    capVersion: cap.formatVersion,
    applets: cap.applets.map((a) => toHex(a.aid)),
    imports: cap.imports.map((i) => {
      const aid = toHex(i.aid);
      const name = packageNameOf(aid);
      return { aid, version: `${i.major}.${i.minor}`, ...(name ? { name } : {}) };
    }),
    loadBytes: cap.lfdb.length,
    ...(cap.extended ? { packages: cap.packages.map((p) => ({ aid: toHex(p.aid), version: versionText(p.version), ...(p.name ? { name: p.name } : {}) })) } : {}),
  };
}

async function overview(ctx: OpContext): Promise<CardOverview> {
  const t = ctx.transport;
  const out: CardOverview = { problems: [] };
  try {
    const i = await info(t);
    out.isd = { aid: toHex(i.isd) };
    if (i.cplc) out.cplc = i.cplc;
    if (i.keys?.length) {
      out.keyInfo = i.keys.map((k) => `key ${k.id} version ${k.version}: ${k.components.map((c) => `${keyTypeName(c.type)} ${c.length} bytes`).join(", ")}`);
    }
    const resources = await send(t, getData(DATA_TAG.EXTENDED_CARD_RESOURCES));
    if (resources.ok) out.freeMemory = parseCardResources(resources.data);
  } catch (e) {
    out.problems.push(`Card information: ${errorLine(e)}`);
  }
  if (out.isd) {
    try {
      const s = await session(ctx);
      const registry = await list(s);
      const isd = registry.isd[0];
      if (isd) out.isd.lifecycle = lifecycleName("card", isd.lifecycle);
      out.registry = [...registry.isd, ...registry.apps, ...registry.loadFiles];
    } catch (e) {
      out.problems.push(`Registry (needs the card's keys): ${errorLine(e)}`);
    }
  }
  try {
    const link = await selectLink(t);
    out.link = link
      ? { present: true, detail: `version ${link.info.version}, agents ${link.info.agents.map((a) => a.name).join(", ") || "none"}` }
      : { present: false };
  } catch (e) {
    out.problems.push(`Web-card link: ${errorLine(e)}`);
  }
  return out;
}

/** The CardOps of a real (or simulated) GlobalPlatform card. */
export function gpOps(options: { cardFetch?: CardOps["cardFetch"] } = {}): CardOps {
  return {
    inspectCap,
    overview,
    install: (ctx, request, onProgress) => installFromDashboard(ctx, request, onProgress, () => session(ctx)),
    async remove(ctx, aid, related) {
      const kind = await deleteChecked(await session(ctx), aidOf(aid), { force: related });
      return deletedLine(kind, aidOf(aid), related);
    },
    async setLocked(ctx, aid, locked) {
      const s = await session(ctx);
      await setLockedChecked(s, aidOf(aid), locked);
      return `${locked ? "Locked" : "Unlocked"} ${aid.toUpperCase()}`;
    },
    cardFetch: options.cardFetch ?? ((transport: Transport, request: Request) => cardFetch(transport, request)),
  };
}
