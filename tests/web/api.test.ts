/** The dashboard's API and pages on fakes, through app.request(). */
import { describe, expect, test } from "bun:test";
import type { HubEvent } from "../../src/web/event-hub.ts";
import { capForm, testDashboard } from "./helpers.ts";
import { FAKE_READER } from "./fakes.ts";
import { SwError, WebcardError } from "../../src/stack/errors.ts";

const READER = encodeURIComponent(FAKE_READER);
const INSTANCES = [{ module: "0102030405060708", instance: "0102030405060708", privileges: "card-reset", params: "" }];

function collect(dash: Awaited<ReturnType<typeof testDashboard>>["dash"]): HubEvent[] {
  const events: HubEvent[] = [];
  dash.state.hub.subscribe((e) => events.push(e));
  return events;
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await Bun.sleep(2);
  expect(cond()).toBe(true);
}

describe("pages", () => {
  test("the readers page lists the reader and its card", async () => {
    const { req } = await testDashboard();
    const r = await req("/");
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain(FAKE_READER);
    expect(html).toContain("card present");
    expect(html).toContain(`href="/cards/${READER}"`);
  });

  test("the card page has the sections; its panel (fetched by the page's script) the ATR decoded, the ISD and the registry", async () => {
    const { req, dash } = await testDashboard();
    const page = await (await req(`/cards/${READER}`)).text();
    const html = page + (await (await req(`/cards/${READER}/panel`, { headers: { "x-csrf-token": dash.csrf } })).text());
    expect(html).toContain("3B80800101");
    expect(html).toContain("T=0, T=1");
    expect(html).toContain("A000000151000000");
    expect(html).toContain("secured");
    expect(html).toContain("security-domain");
    expect(html).toContain('id="install-form"');
    expect(html).toContain('sandbox="allow-forms"');
    expect(html).toContain('id="trace"');
  });

  test("an unknown reader's page is 404 and says so", async () => {
    const { req } = await testDashboard();
    const r = await req("/cards/nope");
    expect(r.status).toBe(404);
    expect(await r.text()).toContain("not connected");
  });

  test("reading the card is traced for its page", async () => {
    const { req, dash } = await testDashboard();
    await req(`/cards/${READER}/panel`, { headers: { "x-csrf-token": dash.csrf } });
    expect(dash.state.trace.lines(FAKE_READER).some((l) => l.includes("=> 00A4040000"))).toBe(true);
  });
});

describe("install", () => {
  test("progress and the result arrive as events, and the registry updates", async () => {
    const { req, dash } = await testDashboard();
    const events = collect(dash);
    const r = await req(`/api/cards/${READER}/install`, { method: "POST", body: capForm(900, INSTANCES) });
    expect(r.status).toBe(202);
    const { op } = (await r.json()) as { op: string };
    await until(() => events.some((e) => e.event === "done"));
    const progress = events.filter((e) => e.event === "progress").map((e) => e.data as { op: string; block: number; blocks: number; bytes: number; rate: number });
    expect(progress.map((p) => p.block)).toEqual([1, 2, 3]);
    expect(progress.at(-1)!.bytes).toBe(900);
    expect(progress.every((p) => p.op === op && p.rate > 0)).toBe(true);
    const done = events.find((e) => e.event === "done")!.data as { ok: boolean; message: string };
    expect(done).toMatchObject({ ok: true, message: "Installed 0102030405 with 1 instance(s)" });
    const panel = await (await req(`/cards/${READER}/panel`, { headers: { "x-csrf-token": dash.csrf } })).text();
    expect(panel).toContain("0102030405060708");
    expect(panel).toContain("card-reset");
  });

  test("a second operation on a busy card gets 409, and the card is free again afterwards", async () => {
    const { req, fake, dash } = await testDashboard();
    let open!: () => void;
    fake.gate = new Promise((r) => (open = r));
    const events = collect(dash);
    const first = await req(`/api/cards/${READER}/install`, { method: "POST", body: capForm(900, INSTANCES) });
    expect(first.status).toBe(202);
    const second = await req(`/api/cards/${READER}/install`, { method: "POST", body: capForm(900, INSTANCES) });
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: string }).error).toContain("is busy (installing 0102030405)");
    const del = await req(`/api/cards/${READER}/delete`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ aid: "A000000151000000" }) });
    expect(del.status).toBe(409);
    open();
    await until(() => events.some((e) => e.event === "done"));
    const lock = await req(`/api/cards/${READER}/lock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ aid: "0102030405060708" }) });
    expect(lock.status).toBe(200);
  });

  test("a card pulled out mid-install ends with the error in one line and frees the card", async () => {
    const { req, fake, dash } = await testDashboard();
    let open!: () => void;
    fake.gate = new Promise((r) => (open = r));
    const events = collect(dash);
    expect((await req(`/api/cards/${READER}/install`, { method: "POST", body: capForm(900, INSTANCES) })).status).toBe(202);
    fake.readers[0]!.cardPresent = false;
    fake.emit({ type: "card-removed", reader: FAKE_READER });
    open();
    await until(() => events.some((e) => e.event === "done"));
    const done = events.find((e) => e.event === "done")!.data as { ok: boolean; message: string };
    expect(done.ok).toBe(false);
    expect(done.message).toBe(`The card was removed from '${FAKE_READER}'`);
    expect(dash.state.locks.holder(FAKE_READER)).toBeUndefined();
    fake.readers[0]!.cardPresent = true;
    await dash.state.watch.refresh();
    expect((await req(`/cards/${READER}/panel`, { headers: { "x-csrf-token": dash.csrf } })).status).toBe(200);
  });

  test("a removal seen only as a malformed answer is named as the card pulled out", async () => {
    const { req, fake, dash } = await testDashboard();
    let open!: () => void;
    fake.gate = new Promise((r) => (open = r));
    fake.removalError = new Error("Response APDU too short: 0 bytes, need the 2-byte SW");
    const events = collect(dash);
    expect((await req(`/api/cards/${READER}/install`, { method: "POST", body: capForm(900, INSTANCES) })).status).toBe(202);
    fake.readers[0]!.cardPresent = false;
    open();
    await until(() => events.some((e) => e.event === "done"));
    const done = events.find((e) => e.event === "done")!.data as { ok: boolean; message: string };
    expect(done.message).toBe(
      `The card was pulled out of '${FAKE_READER}' while installing 0102030405 (Response APDU too short: 0 bytes, need the 2-byte SW): insert it and try again`,
    );
  });

  test("a refusal wrapped with its reason is shown at once, without asking the reader whether the card left", async () => {
    const { req, fake, dash } = await testDashboard();
    const line = "LOAD refused with 6A80: the card lacks imported package A0000000090003FFFFFFFF8910710002 2.6";
    fake.installError = new WebcardError(line, { cause: new SwError("LOAD", 0x6a80), hint: "this applet needs a card that has those packages" });
    const events = collect(dash);
    const listedBefore = fake.listed;
    expect((await req(`/api/cards/${READER}/install`, { method: "POST", body: capForm(900, INSTANCES) })).status).toBe(202);
    await until(() => events.some((e) => e.event === "done"));
    const done = events.find((e) => e.event === "done")!.data as { ok: boolean; message: string };
    expect(done).toMatchObject({ ok: false, message: `${line} (this applet needs a card that has those packages)` });
    // The card answered: the reader list is not polled (that took 1.6 s per refusal).
    expect(fake.listed).toBe(listedBefore);
  });

  test("bad instance AIDs and privileges are refused before any APDU", async () => {
    const { req, fake } = await testDashboard();
    const before = fake.opened;
    const r = await req(`/api/cards/${READER}/install`, { method: "POST", body: capForm(900, [{ ...INSTANCES[0], instance: "0102" }]) });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toBe("The instance AID '0102' is not an AID: enter 5 to 16 bytes in hex");
    const p = await req(`/api/cards/${READER}/install`, { method: "POST", body: capForm(900, [{ ...INSTANCES[0], privileges: "superuser" }]) });
    expect(p.status).toBe(400);
    expect(((await p.json()) as { error: string }).error).toContain("Unknown privilege 'superuser'");
    expect(fake.opened).toBe(before);
  });
});

describe("delete, lock, keys", () => {
  test("delete answers one line and the registry no longer lists it", async () => {
    const { req, fake, dash } = await testDashboard();
    fake.registry.push({ kind: "load-file", aid: Uint8Array.of(1, 2, 3, 4, 5), lifecycle: 1, privileges: 0, modules: [] });
    const r = await req(`/api/cards/${READER}/delete`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ aid: "0102030405", related: true }) });
    expect(await r.json()).toEqual({ ok: true, message: "Deleted 0102030405" });
    expect(await (await req(`/cards/${READER}/panel`, { headers: { "x-csrf-token": dash.csrf } })).text()).not.toContain("0102030405");
  });

  test("keys come back as check values only, never as key bytes", async () => {
    const { req, dash } = await testDashboard();
    const key = "404142434445464748494A4B4C4D4E4F";
    const r = await req(`/api/cards/${READER}/keys`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key, kdf: "none", scp: "02" }) });
    const text = await r.text();
    expect(text).toContain("3DES 8BAF47");
    expect(text.toUpperCase()).not.toContain(key);
    const page = await (await req(`/cards/${READER}`)).text();
    expect(page).toContain("8BAF47");
    expect(page.toUpperCase()).not.toContain(key);
    expect(dash.state.keys.get(FAKE_READER)?.scp).toBe(2);
  });

  test("a malformed key gets one line", async () => {
    const { req } = await testDashboard();
    const r = await req(`/api/cards/${READER}/keys`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: "4041" }) });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toBe("Key has 2 bytes: a key has 16, 24 or 32 bytes (32, 48 or 64 hex digits)");
  });
});

describe("the card's own pages", () => {
  test("served sandboxed, without the card's cookies, under the frame secret only", async () => {
    const { req, dash } = await testDashboard();
    const base = dash.state.cardWebBase(FAKE_READER);
    const r = await req(`${base}loader`, { headers: { cookie: "" } });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("Card page /loader");
    expect(html).toContain(`<a href="${base}registry">`);
    expect(html).toContain('<a href="//elsewhere.example/">');
    const csp = r.headers.get("content-security-policy") ?? "";
    expect(csp).toStartWith("sandbox");
    expect(csp).not.toContain("allow-scripts");
    expect(csp).not.toContain("allow-same-origin");
    expect(r.headers.get("set-cookie")).toBeNull();
    const wrong = await req(`/card-web/${"0".repeat(32)}/${READER}/loader`, { headers: { cookie: "" } });
    expect(wrong.status).toBe(403);
  });
});

describe("events", () => {
  test("the stream sends the reader list, then follows a card removal", async () => {
    const { req, fake, dash } = await testDashboard();
    dash.start();
    const r = await req(`/api/events?reader=${READER}`);
    expect(r.headers.get("content-type")).toContain("text/event-stream");
    const reader = r.body!.getReader();
    const dec = new TextDecoder();
    let text = "";
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += dec.decode(value);
      }
      expect(text).toContain(needle);
    };
    await readUntil("event: readers");
    fake.readers[0]!.cardPresent = false;
    fake.emit({ type: "card-removed", reader: FAKE_READER });
    await readUntil("event: card");
    expect(text).toContain('"type":"card-removed"');
    expect(text).toContain("no card");
    await reader.cancel();
    await dash.close();
  });
});
