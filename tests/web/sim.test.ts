/**
 * The dashboard's real card operations (src/web/gp-ops.ts over src/host/gp)
 * on an in-process simulated card: install a fixture CAP through the API
 * with progress, see the registry, lock, unlock, delete.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { createDashboard } from "../../src/web/app.ts";
import { simCardDeps } from "../harness/dashboard.ts";
import type { HubEvent } from "../../src/web/event-hub.ts";
import { pageRequests } from "./helpers.ts";

const FIXTURES = resolve(import.meta.dir, "../../../shared/fixtures/cap");
const PORT = 47124;
const NAME = "Simulated card";
const card = createWebCard({});
afterAll(() => card.close());

const deps = simCardDeps(card, NAME);
const dash = createDashboard(deps, { port: PORT });
const events: HubEvent[] = [];
dash.state.hub.subscribe((e) => events.push(e));
const R = encodeURIComponent(NAME);

const req = pageRequests(dash, PORT);

function form(file: string, instances?: unknown[]): FormData {
  const fd = new FormData();
  fd.append("cap", new File([readFileSync(resolve(FIXTURES, file))], file));
  if (instances) fd.append("instances", JSON.stringify(instances));
  return fd;
}

const post = (path: string, body: unknown) => req(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("on the simulated card", () => {
  test("inspect shows the package, applets and imports of a fixture", async () => {
    const r = await req("/api/cap/inspect", { method: "POST", body: form("gppro_Empty_0102030405_2.2.1.cap") });
    const { cap } = (await r.json()) as { cap: { packageAid: string; applets: string[]; imports: { aid: string }[]; loadBytes: number } };
    expect(cap.packageAid).toBe("0102030405");
    expect(cap.applets).toEqual(["0102030405060708"]);
    expect(cap.imports.map((i) => i.aid)).toEqual(["A0000000620101", "A0000000620102", "A0000000620001"]);
    expect(cap.loadBytes).toBe(211);
  });

  test("a file that is not a CAP gets 400 and one line", async () => {
    const fd = new FormData();
    fd.append("cap", new File([new TextEncoder().encode("hello, not a zip")], "notes.txt"));
    const r = await req("/api/cap/inspect", { method: "POST", body: fd });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toStartWith("Cannot read CAP file");
  });

  test("install the 22 KB AlgTest with progress to the last block, then lock, unlock and delete", async () => {
    const instance = "4A43416C67546573743101";
    const r = await req(`/api/cards/${R}/install`, {
      method: "POST",
      body: (() => {
        // GlobalPlatform from the dashboard: one progress event a LOAD block (the default, auto, takes the card's loader).
        const fd = form("jcalgtest_AlgTest_v1.7.4_jc222.cap", [{ module: "4A43416C675465737431", instance, privileges: "", params: "" }]);
        fd.append("via", "gp");
        return fd;
      })(),
    });
    expect(r.status).toBe(202);
    const { op } = (await r.json()) as { op: string };
    for (let i = 0; i < 2000 && !events.some((e) => e.event === "done"); i++) await Bun.sleep(5);
    const done = events.find((e) => e.event === "done")!.data as { id: string; ok: boolean; message: string };
    expect(done.id).toBe(op);
    expect(done.message).toStartWith("Loaded 4A43416C6754657374 (");
    expect(done.ok).toBe(true);
    const progress = events.filter((e) => e.event === "progress").map((e) => e.data as { block: number; blocks: number; bytes: number; totalBytes: number });
    const last = progress.at(-1)!;
    expect(last.block).toBe(last.blocks);
    expect(last.bytes).toBe(last.totalBytes);
    expect(progress.length).toBe(last.blocks);

    let panel = await (await req(`/cards/${R}/panel`)).text();
    expect(panel).toContain(instance);
    expect(panel).toContain("4A43416C6754657374");

    expect(await (await post(`/api/cards/${R}/lock`, { aid: instance })).json()).toEqual({ ok: true, message: `Locked ${instance}` });
    panel = await (await req(`/cards/${R}/panel`)).text();
    expect(panel).toContain('<span class="badge locked">locked</span>');
    expect(await (await post(`/api/cards/${R}/unlock`, { aid: instance })).json()).toEqual({ ok: true, message: `Unlocked ${instance}` });

    const del = await post(`/api/cards/${R}/delete`, { aid: "4A43416C6754657374", related: true });
    expect(await del.json()).toEqual({ ok: true, message: "Deleted package 4A43416C6754657374 and its related objects" });
    panel = await (await req(`/cards/${R}/panel`)).text();
    expect(panel).not.toContain("4A43416C6754657374");
  });

  test("install through the card's own loader (the web flow), then delete", async () => {
    events.length = 0;
    const r = await req(`/api/cards/${R}/install`, {
      method: "POST",
      body: (() => {
        const fd = form("kaoh_helloworld.cap", [{ module: "D0D1D2D3D4D50101", instance: "D0D1D2D3D4D50102", privileges: "", params: "" }]);
        fd.append("via", "web");
        return fd;
      })(),
    });
    expect(r.status).toBe(202);
    for (let i = 0; i < 2000 && !events.some((e) => e.event === "done"); i++) await Bun.sleep(5);
    const done = events.find((e) => e.event === "done")!.data as { ok: boolean; message: string };
    expect(done.message).toBe("Loaded D0D1D2D3D4D501 through the card's own loader (247 bytes) and installed D0D1D2D3D4D50102");
    expect(done.ok).toBe(true);
    // The card's loader reports its LOAD as blocks too, up to the last one.
    const progress = events.filter((e) => e.event === "progress").map((e) => e.data as { block: number; blocks: number; bytes: number; totalBytes: number });
    expect(progress.at(-1)).toMatchObject({ block: 1, blocks: 1, bytes: 247, totalBytes: 247 });
    const panel = await (await req(`/cards/${R}/panel`)).text();
    expect(panel).toContain("D0D1D2D3D4D50102");
    const del = await post(`/api/cards/${R}/delete`, { aid: "D0D1D2D3D4D501", related: true });
    expect(((await del.json()) as { ok: boolean }).ok).toBe(true);
  });

  test("the card's own pages come through the proxy", async () => {
    const r = await req(`${dash.state.cardWebBase(NAME)}`, { headers: { accept: "text/html" } });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain("served by the smart card itself");
  });

  test("a wrong key fails in one line, without the key", async () => {
    const key = "000102030405060708090A0B0C0D0E0F";
    expect((await post(`/api/cards/${R}/keys`, { key })).status).toBe(200);
    const r = await post(`/api/cards/${R}/lock`, { aid: "A000000151000000" });
    const body = (await r.json()) as { error: string };
    expect(r.status).toBe(502);
    expect(body.error).toContain("Card cryptogram does not match");
    expect(body.error.toUpperCase()).not.toContain(key);
    dash.state.keys.forget(NAME);
  });
});
