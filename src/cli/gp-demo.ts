/**
 * `webcard demo`: build a sample applet with the CAP builder, install it on
 * an in-process simulated card (memory only, SCP03, the default test key),
 * list the card and say what happened. No reader, a few seconds at most.
 */
import { fromHex, toHex } from "../stack/bytes.ts";
import { buildCap } from "../stack/cap/build/build-cap.ts";
import { parseLoadFile } from "../stack/cap/load-file.ts";
import { defaultKeys } from "../stack/gp/keys.ts";
import { withIsoResponses } from "../stack/transport/get-response.ts";
import { withTrace } from "../stack/transport/trace.ts";
import { createSimulatedCard } from "../card/sim.ts";
import { inProcessTransport } from "../card/in-process.ts";
import { openGpSession } from "../host/gp/connect.ts";
import { installViaGp } from "../host/gp/install.ts";
import { list, type Registry } from "../host/gp/registry.ts";
import type { Context } from "./context.ts";
import { channelJson, channelLine, registryJson, registryLines } from "./gp-format.ts";
import { createProgressBar } from "./progress.ts";

/** The sample applet: a proprietary RID (F0...), "webcard" in ASCII. */
export const DEMO_PACKAGE_AID = fromHex("F0776562636172");
export const DEMO_APPLET_AID = fromHex("F077656263617201");

/** The Java Card API packages the card ships, left out of the demo's listing. */
const API_RID = fromHex("A000000062");

function withoutApi(r: Registry): Registry {
  const isApi = (aid: Uint8Array) => toHex(aid).startsWith(toHex(API_RID));
  return { ...r, loadFiles: r.loadFiles.filter((f) => !isApi(f.aid)) };
}

/** Run the demo and print its result. */
export async function demoCommand(ctx: Context): Promise<void> {
  const started = performance.now();
  const capBytes = buildCap({
    packageAid: DEMO_PACKAGE_AID,
    packageName: "com.webcard.demo",
    packageVersion: { major: 1, minor: 0 },
    applets: [{ aid: DEMO_APPLET_AID, className: "Hello" }],
  });
  const cap = parseLoadFile(capBytes, "demo.cap");
  const card = createSimulatedCard({ statePath: ":memory:", scp: 3 });
  const raw = withIsoResponses(inProcessTransport(card, { name: "simulated card (memory)" }));
  const transport = ctx.trace ? withTrace(raw, ctx.err) : raw;
  try {
    const session = await openGpSession(transport, { keys: defaultKeys(), scp: 3, level: "mac" });
    const bar = ctx.json ? createProgressBar({ isTTY: false, write: () => true }) : createProgressBar();
    let result: Awaited<ReturnType<typeof installViaGp>>;
    try {
      result = await installViaGp(session, cap, {}, bar.update);
    } finally {
      bar.done();
    }
    const full = await list(session);
    const registry = withoutApi(full);
    const apiCount = full.loadFiles.length - registry.loadFiles.length;
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (ctx.json) {
      return ctx.printJson({
        ok: true,
        card: "simulated card (memory)",
        cap: { bytes: capBytes.length, package: toHex(cap.packageAid), applets: cap.applets.map((a) => toHex(a.aid)), lfdbBytes: cap.lfdb.length },
        channel: channelJson(session),
        load: result.load,
        installed: result.installed.map((i) => ({ applet: toHex(i.moduleAid), instance: toHex(i.instanceAid) })),
        registry: registryJson(registry),
        javaCardApiPackages: apiCount,
        seconds: Number(seconds),
      });
    }
    ctx.out("webcard demo: a simulated card in this process, no reader needed");
    ctx.out(
      `1. Built a sample applet with the CAP builder: package ${toHex(cap.packageAid)} (com.webcard.demo 1.0), applet ${toHex(DEMO_APPLET_AID)}, CAP file ${capBytes.length} bytes, load file ${cap.lfdb.length} bytes`,
    );
    ctx.out(`2. Opened a secure channel: ${channelLine(session)}`);
    ctx.out(
      `3. Loaded the package in ${result.load.blocks} LOAD block${result.load.blocks === 1 ? "" : "s"} of up to ${result.load.blockSize} bytes and installed ${result.installed.map((i) => toHex(i.instanceAid)).join(", ")}`,
    );
    ctx.out(`4. The card now holds (besides ${apiCount} Java Card API packages):`);
    for (const line of registryLines(registry)) ctx.out(`   ${line}`);
    ctx.out(`Done in ${seconds} s. Next: 'webcard install FILE.cap --sim' keeps a simulated card between runs.`);
  } finally {
    await transport.close?.();
    card.close();
  }
}
