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
import { install } from "../host/gp/install.ts";
import { load } from "../host/gp/load.ts";
import { deleteChecked, deletedLine, setLockedChecked } from "../host/gp/delete-guard.ts";
import { list } from "../host/gp/registry.ts";
import type { GpSession } from "../host/gp/session.ts";
import { parseCardResources } from "./card-resources.ts";
import type { CapSummary, CardOps, CardOverview, InstallRequest, OpContext, Progress } from "./deps.ts";
import { cardFetch } from "../host/link/card-web.ts";
import { installViaWeb } from "../host/loader/via-web.ts";

function session(ctx: OpContext): Promise<GpSession> {
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

/**
 * The web flow: the card's loader gets the loading file over the link and
 * runs the GlobalPlatform orders itself. It takes one set of privileges and
 * parameters for all the applets of one load.
 */
async function installThroughCard(ctx: OpContext, request: InstallRequest, onProgress: (p: Progress) => void): Promise<string> {
  const cap = parseLoadFile(request.cap);
  const first = request.instances[0];
  if (!first) throw new UsageError("The card's loader installs at least one applet: give an instance AID, or load a library through GlobalPlatform");
  const same = request.instances.every((i) => i.privileges === first.privileges && toHex(i.params) === toHex(first.params));
  if (!same) throw new UsageError("The card's loader takes one set of privileges and parameters per load: make them equal, or install through GlobalPlatform");
  const k = ctx.keys;
  if (k?.scp11) throw new UsageError("The card's own loader opens SCP02/SCP03 only: install through GlobalPlatform for SCP11");
  const secure = { keys: k?.keys ?? defaultKeys("AES"), kdf: k?.kdf ?? "none", level: "mac" as const, ...(k?.scp ? { scp: k.scp } : {}) };
  const r = await installViaWeb(
    ctx.transport,
    cap,
    {
      applets: request.instances.map((i) => aidOf(i.module)),
      instances: request.instances.map((i) => aidOf(i.instance)),
      privileges: first.privileges,
      ...(first.params.length ? { params: first.params } : {}),
    },
    (line) => onProgress({ line }),
    { secure },
  );
  return `The card's loader: ${r.result.message}`;
}

/** The CardOps of a real (or simulated) GlobalPlatform card. */
export function gpOps(options: { cardFetch?: CardOps["cardFetch"] } = {}): CardOps {
  return {
    inspectCap,
    overview,
    async install(ctx, request, onProgress) {
      if (request.via === "web") return installThroughCard(ctx, request, onProgress);
      const cap = parseLoadFile(request.cap);
      const s = await session(ctx);
      const loaded = await load(s, cap, { onProgress });
      const done: string[] = [];
      for (const i of request.instances) {
        await install(s, cap, {
          applets: [aidOf(i.module)],
          instances: [aidOf(i.instance)],
          privileges: i.privileges,
          ...(i.params.length ? { params: i.params } : {}),
        });
        done.push(i.instance);
      }
      const what = `Loaded ${toHex(cap.packageAid)} (${loaded.blocks} blocks, ${loaded.bytes.toLocaleString("en-US")} bytes)`;
      return done.length ? `${what} and installed ${done.join(", ")}` : what;
    },
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
