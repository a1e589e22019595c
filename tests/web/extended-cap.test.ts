/**
 * The dashboard with an extended CAP file (JCVM 3.1 chapter 6) on in-process
 * simulated cards: inspect names the CAP AID and its packages; a Java Card
 * 3.0.5 card refuses the install in one line naming the format, before the
 * LOAD, by both of the dashboard's paths; a 3.1 card installs it.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { createDashboard } from "../../src/web/app.ts";
import { simCardDeps } from "../harness/dashboard.ts";
import type { HubEvent } from "../../src/web/event-hub.ts";
import { pageRequests } from "./helpers.ts";
import { writeExtendedCap } from "../../src/stack/cap/writer/extended.ts";
import { fromHex } from "../../src/stack/bytes.ts";

const FILE = writeExtendedCap({
  capAid: fromHex("A0000006472F009A"),
  packages: [
    { packageAid: fromHex("A0000006472F0091"), packageName: "org.example.one", applets: [{ aid: fromHex("A0000006472F009101"), className: "One" }] },
    { packageAid: fromHex("A0000006472F0092"), packageName: "org.example.two", applets: [{ aid: fromHex("A0000006472F009201"), className: "Two" }] },
  ],
});

function form(via: string): FormData {
  const fd = new FormData();
  fd.append("cap", new File([FILE as Uint8Array<ArrayBuffer>], "multi.cap"));
  fd.append("via", via);
  fd.append("instances", JSON.stringify([{ module: "A0000006472F009101", instance: "A0000006472F009101", privileges: "", params: "" }]));
  return fd;
}

function dashboard(release: string, port: number) {
  const card = createWebCard({ javaCardVersion: release });
  const dash = createDashboard(simCardDeps(card, "Simulated card"), { port });
  const events: HubEvent[] = [];
  dash.state.hub.subscribe((e) => events.push(e));
  return { card, req: pageRequests(dash, port), events };
}

const old = dashboard("3.0.5", 47141);
const current = dashboard("3.1", 47142);
afterAll(() => {
  old.card.close();
  current.card.close();
});
const R = encodeURIComponent("Simulated card");

async function install(d: typeof old, via: string): Promise<{ ok: boolean; message: string }> {
  d.events.length = 0;
  const r = await d.req(`/api/cards/${R}/install`, { method: "POST", body: form(via) });
  expect(r.status).toBe(202);
  for (let i = 0; i < 4000 && !d.events.some((e) => e.event === "done"); i++) await Bun.sleep(5);
  return d.events.find((e) => e.event === "done")!.data as { ok: boolean; message: string };
}

test("inspect gives the CAP AID as the package AID, and every package", async () => {
  const fd = new FormData();
  fd.append("cap", new File([FILE as Uint8Array<ArrayBuffer>], "multi.cap"));
  const { cap } = (await (await current.req("/api/cap/inspect", { method: "POST", body: fd })).json()) as { cap: { packageAid: string; capVersion: string; packages: { aid: string; name: string }[] } };
  expect(cap.packageAid).toBe("A0000006472F009A");
  expect(cap.capVersion).toBe("2.3");
  expect(cap.packages.map((p) => [p.aid, p.name])).toEqual([["A0000006472F0091", "org.example.one"], ["A0000006472F0092", "org.example.two"]]);
});

describe.each(["gp", "web"])("the dashboard's %s path", (via) => {
  test("a Java Card 3.0.5 card: refused in one line naming the format; nothing on the card", async () => {
    const done = await install(old, via);
    expect(done.ok).toBe(false);
    expect(done.message.split("\n")).toHaveLength(1);
    expect(done.message).toContain(via === "web" ? "CAP format 2.3 is not accepted: the loader takes 2.1,2.2" : "the file is CAP format 2.3 extended, which needs Java Card 3.1 or later");
    expect(await (await old.req(`/cards/${R}/panel`)).text()).not.toContain("A0000006472F009A");
  });

  test("a Java Card 3.1 card: installed, the CAP file and its packages on the panel; then deleted", async () => {
    const done = await install(current, via);
    expect(done).toMatchObject({ ok: true });
    const panel = await (await current.req(`/cards/${R}/panel`)).text();
    for (const aid of ["A0000006472F009A", "A0000006472F0091", "A0000006472F0092", "A0000006472F009101"]) expect(panel).toContain(aid);
    const r = await current.req(`/api/cards/${R}/delete`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ aid: "A0000006472F009A", related: true }) });
    expect(((await r.json()) as { ok: boolean }).ok).toBe(true);
    expect(await (await current.req(`/cards/${R}/panel`)).text()).not.toContain("A0000006472F0091");
  });
});
