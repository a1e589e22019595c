/**
 * `webcard demo`: build a sample applet with the CAP builder and install it
 * through the web-card flow on an in-process simulated card that carries the
 * link application (memory only, SCP03, the default test key): the four steps
 * of DESIGN.md as they happened on the link, then the card's registry. No
 * reader, a few seconds at most.
 */
import { fromHex, toHex } from "../../stack/bytes.ts";
import { writeCap } from "../../stack/cap/writer/write-cap.ts";
import { parseLoadFile } from "../../stack/cap/load-file.ts";
import { defaultKeys } from "../../stack/gp/keys.ts";
import { withIsoResponses } from "../../stack/transport/get-response.ts";
import { withTrace } from "../../stack/transport/trace.ts";
import { inProcessTransport } from "../../card/in-process.ts";
import { createWebCard } from "../../card/link/with-link.ts";
import { describeLevel, LEVEL_BYTE } from "../../stack/gp/security-level.ts";
import { openGpSession } from "../../host/gp/connect.ts";
import { planInstalls } from "../../host/gp/install.ts";
import { list, type Registry } from "../../host/gp/registry.ts";
import { installViaWeb, type ViaWebResult } from "../../host/loader/via-web.ts";
import type { Context } from "../context.ts";
import { registryJson, registryLines } from "../format.ts";

/** The sample applet: a proprietary RID (F0...), "webcard" in ASCII. */
const DEMO_PACKAGE_AID = fromHex("F0776562636172");
const DEMO_APPLET_AID = fromHex("F077656263617201");

/** The Java Card API packages the card ships, left out of the demo's listing. */
const API_RID = fromHex("A000000062");

function withoutApi(r: Registry): Registry {
  const isApi = (aid: Uint8Array) => toHex(aid).startsWith(toHex(API_RID));
  return { ...r, loadFiles: r.loadFiles.filter((f) => !isApi(f.aid)) };
}

/** One link session as the link's trace told it: who opened it and the HTTP start lines both ways. */
interface SessionSeen {
  id: string;
  opener: "terminal" | "card";
  agents: string;
  messages: { direction: "=>" | "<="; line: string; bytes: number }[];
}

/** Group the link's trace lines (src/stack/link/client.ts describeEvent) into sessions, in the order they were opened. */
function sessionsFrom(trace: readonly string[]): SessionSeen[] {
  const sessions: SessionSeen[] = [];
  const open = new Map<string, SessionSeen>();
  for (const line of trace) {
    const opened = /^link: session ([0-9A-F]{2}) opened by the (terminal|card): (.*)$/.exec(line);
    if (opened) {
      const s: SessionSeen = { id: opened[1]!, opener: opened[2] as "terminal" | "card", agents: opened[3]!, messages: [] };
      sessions.push(s);
      open.set(s.id, s);
      continue;
    }
    const message = /^link: session ([0-9A-F]{2}) (=>|<=) (.*) \((\d+) bytes\)$/.exec(line);
    if (message) open.get(message[1]!)?.messages.push({ direction: message[2] as "=>" | "<=", line: message[3]!, bytes: Number(message[4]) });
  }
  return sessions;
}

/** The four steps of DESIGN.md from the sessions seen and OL's result; throws if the link did not show them. */
function stepsOf(sessions: readonly SessionSeen[], r: ViaWebResult) {
  const byTerminal = sessions.filter((s) => s.opener === "terminal");
  const [loaderSession, postSession] = byTerminal;
  const paramsSession = sessions.find((s) => s.opener === "card");
  if (!loaderSession || !paramsSession || !postSession) throw new Error("The link trace does not show the three sessions of a web load");
  const p = r.parameters;
  return {
    session1: loaderSession,
    session2: { ...paramsSession, parameters: { capVersions: p.capVersions, freeMemory: p.freeMemory, blockSize: p.blockSize, securityLevel: describeLevel(p.securityLevel), nonce: p.nonce, script: p.script } },
    session3: postSession,
    orders: r.result.progress.filter((l) => l.startsWith("order: ")).map((l) => l.slice("order: ".length)),
  };
}

function messageLines(s: SessionSeen): string[] {
  return s.messages.map((m) => `     ${m.direction} ${m.line} (${m.bytes} bytes)`);
}

/** Run the demo and print its result. */
export async function demoCommand(ctx: Context): Promise<void> {
  const started = performance.now();
  const capBytes = writeCap({
    packageAid: DEMO_PACKAGE_AID,
    packageName: "com.webcard.demo",
    packageVersion: { major: 1, minor: 0 },
    applets: [{ aid: DEMO_APPLET_AID, className: "Hello" }],
  });
  const cap = parseLoadFile(capBytes, "demo.cap");
  const card = createWebCard({ statePath: ":memory:", scp: 3 });
  const raw = withIsoResponses(inProcessTransport(card, { name: "simulated card (memory)" }));
  const transport = ctx.trace ? withTrace(raw, ctx.err) : raw;
  const linkTrace: string[] = [];
  try {
    const r = await installViaWeb(transport, cap, {}, undefined, {
      secure: { keys: defaultKeys("AES"), scp: 3, level: "mac" },
      trace: (line) => {
        linkTrace.push(line);
        if (ctx.trace) ctx.err(line);
      },
    });
    const steps = stepsOf(sessionsFrom(linkTrace), r);
    const session = await openGpSession(transport, { keys: defaultKeys("AES"), scp: 3, level: "mac" });
    const full = await list(session);
    const registry = withoutApi(full);
    const apiCount = full.loadFiles.length - registry.loadFiles.length;
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const installed = planInstalls(cap, {})
      .filter((i) => r.result.installed.includes(toHex(i.instanceAid)))
      .map((i) => ({ applet: toHex(i.moduleAid), instance: toHex(i.instanceAid) }));
    if (ctx.json) {
      return ctx.printJson({
        ok: true,
        via: "web",
        card: "simulated card (memory) with the web-card link",
        cap: { bytes: capBytes.length, package: toHex(cap.packageAid), applets: cap.applets.map((a) => toHex(a.aid)), lfdbBytes: cap.lfdb.length },
        channel: r.channel ? { scp: `0${r.channel.scp}`, level: r.channel.level, kcv: r.channel.kcvs } : null,
        steps,
        result: { status: r.steps.loadStatus, message: r.result.message },
        exchanges: r.exchanges,
        installed,
        registry: registryJson(registry),
        javaCardApiPackages: apiCount,
        seconds: Number(seconds),
      });
    }
    const k = r.channel?.kcvs;
    ctx.out("webcard demo: a simulated card with the web-card link, in this process, no reader needed");
    ctx.out(
      `Built a sample applet with the CAP builder: package ${toHex(cap.packageAid)} (com.webcard.demo 1.0), applet ${toHex(DEMO_APPLET_AID)}, CAP file ${capBytes.length} bytes, load file ${cap.lfdb.length} bytes`,
    );
    ctx.out(
      `Selected the card's link application and opened a secure channel in it: SCP0${r.channel?.scp ?? "?"} security level ${describeLevel(LEVEL_BYTE[r.channel?.level ?? "clear"])}${k ? `, default test keys KCV ENC ${k.enc} MAC ${k.mac} DEK ${k.dek}` : ""}`,
    );
    const { session1, session2, session3, orders } = steps;
    ctx.out(`1. Session ${session1.id}, opened by the terminal (${session1.agents}): OL asks the card's loader for its loading page`);
    for (const l of messageLines(session1)) ctx.out(l);
    const p = session2.parameters;
    ctx.out(`2. Session ${session2.id}, opened by the card (${session2.agents}): the loader delivers its parameters`);
    for (const l of messageLines(session2)) ctx.out(l);
    ctx.out(`     CAP versions ${p.capVersions.join(", ")}; free memory ${p.freeMemory} bytes; block size ${p.blockSize}; security level ${p.securityLevel}`);
    ctx.out(`     nonce ${p.nonce}; script ${p.script}`);
    ctx.out(`3. Session ${session3.id}, opened by the terminal (${session3.agents}): OL posts the loading file to ${p.script}`);
    for (const l of messageLines(session3)) ctx.out(l);
    ctx.out(`4. The card's CGI gateway ran ${p.script}; its script-translation agent gave these orders to the card manager:`);
    for (const o of orders) ctx.out(`     ${o}`);
    ctx.out(`   ${r.result.message} (${r.exchanges} EXCHANGE round trip${r.exchanges === 1 ? "" : "s"} after authentication)`);
    ctx.out(`The card now holds (besides ${apiCount} Java Card API packages):`);
    for (const line of registryLines(registry)) ctx.out(`   ${line}`);
    ctx.out(`Done in ${seconds} s. Next: 'webcard install FILE.cap --sim' keeps a simulated card between runs.`);
  } finally {
    await transport.close?.();
    card.close();
  }
}
