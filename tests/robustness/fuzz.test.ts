/**
 * Random and mutated input, seeded: (1) APDUs and link EXCHANGE frames to
 * a card with the link application, without an authenticated session:
 * never a crash (always a status word, never 6F00, no "error:" in the
 * card's log) and no change to its persistent state (stateDigest()).
 * (2) Random requests and bytes to the dashboard's API (Hono app.request())
 * around a simulated card: never a 500 (deliberate codes are 4xx, 502 and
 * 503), never a throw, no card state change, no card lock left held.
 * (tests/card/fuzz.test.ts covers GlobalPlatform APDUs to the ISD.)
 */
import { afterAll, expect, test } from "bun:test";
import { concat, fromHex, toHex } from "../../src/stack/bytes.ts";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { encodeFrames, type Frame } from "../../src/stack/link/frames.ts";
import { LINK_AID } from "../../src/stack/link/constants.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";
import { installViaWeb } from "../../src/host/loader/via-web.ts";
import { createDashboard } from "../../src/web/app.ts";
import { simCardDeps } from "../harness/dashboard.ts";
import { cookieName } from "../../src/web/security.ts";
import { Counts, LONG, SEED, mutate, rng, type Rng } from "./common.ts";
import { ALGTEST, fixtureCap } from "./paths.ts";

const link = new Counts("link fuzz");
const api = new Counts("dashboard fuzz");
afterAll(() => {
  link.print();
  api.print();
});

const SELECT_LINK = concat(fromHex("00A40400"), LINK_AID.length, LINK_AID, 0);

/** Every command of a web install, recorded: authenticated (84 3C, C-MAC) and attempted without a channel (80 3C). */
async function corpus(): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const record = (inner: Transport): Transport => ({ ...inner, transmit: (c) => (out.push(c.slice()), inner.transmit(c)) });
  const cap = fixtureCap("kaoh_helloworld.cap");
  for (const secure of [undefined, false] as const) {
    for (const short of [false, true]) {
      const card = createWebCard();
      await installViaWeb(record(inProcessTransport(card)), cap.file, {}, undefined, { short, ...(secure === false ? { secure } : {}) }).catch(() => undefined);
      card.close();
    }
  }
  return out;
}

const PATHS_HTTP = ["/", "/loader", "/cgi-bin/load", "/cgi-bin/", "/scripts/load", "/webcard/loader-parameters", "/registry", "/../../etc/passwd", "/%00", `/${"a".repeat(300)}`];
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "X"];

function httpMessage(r: Rng): Uint8Array {
  const body = r.int(2) ? r.bytes(r.int(300)) : new TextEncoder().encode(`--b\r\nContent-Disposition: form-data; name="cap"\r\n\r\n${"x".repeat(r.int(50))}\r\n--b--\r\n`);
  const headers = [
    `Host: card`,
    r.int(2) ? `Content-Length: ${r.int(3) ? body.length : r.int(100000)}` : `Transfer-Encoding: chunked`,
    r.int(2) ? `Content-Type: multipart/form-data; boundary=b` : `Content-Type: ${r.pick(["application/json", "text/plain", "x/y"])}`,
  ];
  const head = `${r.pick(METHODS)} ${r.pick(PATHS_HTTP)} HTTP/1.${r.int(3)}\r\n${headers.join("\r\n")}\r\n\r\n`;
  const bytes = concat(new TextEncoder().encode(head), body);
  return r.int(5) ? bytes : bytes.slice(0, r.int(bytes.length));
}

function randomFrames(r: Rng): Frame[] {
  const frames: Frame[] = [];
  for (let i = 0, n = 1 + r.int(4); i < n; i++) {
    const session = r.pick([0, 1, 2, 0x7f, 0x80, 0x81, 0xff, r.int(256)]);
    switch (r.int(4)) {
      case 0:
        frames.push({ kind: 1, flags: r.int(16), session, seq: r.int(3) ? 0 : r.int(65536), payload: r.int(4) ? Uint8Array.of(1, r.pick([1, 2, 3, r.int(256)])) : r.bytes(r.int(5)) });
        break;
      case 1:
      case 2:
        frames.push({ kind: 2, flags: r.int(4), session, seq: r.int(3) ? r.int(3) : r.int(65536), payload: r.int(2) ? httpMessage(r) : r.bytes(r.int(200)) });
        break;
      default:
        frames.push({ kind: 3, flags: 0, session, seq: r.int(65536), payload: concat(r.int(256), r.bytes(r.int(20))) });
    }
  }
  return frames;
}


function exchange(r: Rng, data: Uint8Array): Uint8Array {
  const cla = r.pick([0x80, 0x80, 0x84, 0x00]);
  const p1 = r.int(8) ? 0 : r.pick([1, 2, 0xff]);
  if (data.length === 0) return Uint8Array.of(cla, 0x3c, p1, 0, 0);
  if (data.length <= 255 && r.int(2)) return concat(cla, 0x3c, p1, 0, data.length, data, 0);
  return concat(cla, 0x3c, p1, 0, 0, data.length >> 8, data.length & 0xff, data, 0, 0);
}

test("random and mutated link commands (EXCHANGE frames included): no crash, no state change", async () => {
  const CASES = LONG ? 300_000 : 40_000;
  const r = rng(SEED ^ 0x11c);
  const recorded = await corpus();
  const log: string[] = [];
  const card = createWebCard({ log: (l) => log.push(l) });
  card.powerOn();
  const before = card.stateDigest();
  const sws = new Map<string, number>();
  for (let i = 0; i < CASES; i++) {
    if (r.int(40) === 0) await card.process(SELECT_LINK);
    if (r.int(2000) === 0) card.reset();
    let command: Uint8Array;
    switch (r.int(5)) {
      case 0:
        command = exchange(r, encodeFrames(randomFrames(r).filter((f) => f.payload.length <= 0xffff)));
        break;
      case 1:
        command = exchange(r, mutate(r, encodeFrames(randomFrames(r))));
        break;
      case 2:
        command = r.pick(recorded);
        break;
      case 3:
        command = mutate(r, r.pick(recorded));
        break;
      default:
        command = r.bytes(r.int(12));
    }
    try {
      const resp = await card.process(command);
      const sw = resp.length >= 2 ? toHex(resp.subarray(resp.length - 2)) : "none";
      sws.set(sw, (sws.get(sw) ?? 0) + 1);
      if (sw === "none" || sw === "6F00") link.fail(`case ${i}: ${toHex(command.subarray(0, 24))} answered ${toHex(resp)}: ${log.filter((l) => l.startsWith("error:")).at(-1) ?? ""}`);
      else link.pass();
    } catch (e) {
      link.fail(`case ${i}: ${toHex(command.subarray(0, 24))} threw ${(e as Error).message}`);
    }
  }
  expect(link.failures).toEqual([]);
  expect(log.filter((l) => l.startsWith("error:"))).toEqual([]);
  expect(card.stateDigest()).toBe(before);
  // The fuzzer reached the link, not only the front door: frames were taken and refused.
  for (const sw of ["9000", "6A80"]) expect(sws.get(sw) ?? 0).toBeGreaterThan(0);
  card.close();
}, LONG ? 900_000 : 60_000);

test("random requests and bytes to the dashboard API: no 500, no throw, no state change, no lock held", async () => {
  const CASES = LONG ? 40_000 : 5_000;
  const r = rng(SEED ^ 0xdab);
  const PORT = 47199;
  const NAME = "Simulated card";
  const card = createWebCard();
  const deps = simCardDeps(card, NAME);
  const dash = createDashboard(deps, { port: PORT });
  await dash.state.watch.refresh();
  const before = card.stateDigest();
  const caps = [fixtureCap("kaoh_helloworld.cap").bytes, fixtureCap(ALGTEST).bytes];
  const readers = [encodeURIComponent(NAME), "Nope", "%ZZ", "..%2F..", encodeURIComponent("Simulated card\u0000"), "x".repeat(200)];
  const paths = [
    "/", "/api/readers", "/api/cards/R", "/api/cap/inspect", "/api/cards/R/install", "/api/ops/op1", "/api/cards/R/delete",
    "/api/cards/R/lock", "/api/cards/R/unlock", "/api/cards/R/keys", "/api/cards/R/trace/clear", "/cards/R", "/cards/R/panel",
    "/cards/R/web/", "/cards/R/web/loader", "/api/events", "/assets/app.js", "/nope", "/api/%",
  ];
  const statuses = new Map<number, number>();
  for (let i = 0; i < CASES; i++) {
    const method = r.pick(["GET", "POST", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]);
    let path = r.pick(paths).replace("R", r.pick(readers));
    if (r.int(6) === 0) path += `?${toHex(r.bytes(r.int(8)))}=${r.pick(["", "%", "&&", "1"])}`;
    const headers = new Headers();
    if (r.int(10)) headers.set("host", r.int(15) ? `127.0.0.1:${PORT}` : r.pick(["evil.example", `localhost:${PORT}`, ""]));
    if (r.int(8)) headers.set("cookie", `${cookieName(PORT)}=${r.int(12) ? dash.token : "x"}`);
    const writes = /\/(install|delete|lock|unlock)$/.test(path) && path.includes(readers[0]!);
    // A write to the real card with the right CSRF token would change it on purpose: those go without it.
    if (r.int(6) && !writes) headers.set("x-csrf-token", r.int(12) ? dash.csrf : "bad");
    if (r.int(8) === 0) headers.set("origin", r.pick([`http://127.0.0.1:${PORT}`, "http://evil.example", "null"]));
    let body: BodyInit | undefined;
    if (method !== "GET" && method !== "HEAD") {
      switch (r.int(5)) {
        case 0: {
          const fd = new FormData();
          fd.append(r.pick(["cap", "file", "instances"]), new File([(r.int(2) ? mutate(r, r.pick(caps)) : r.bytes(r.int(2000))) as Uint8Array<ArrayBuffer>], "a.cap"));
          if (r.int(2)) fd.append("instances", r.int(2) ? JSON.stringify([{ module: toHex(r.bytes(8)), instance: "zz", privileges: r.int(1 << 24) }]) : "[{");
          if (r.int(2)) fd.append("via", r.pick(["web", "gp", "x"]));
          body = fd;
          break;
        }
        case 1:
          headers.set("content-type", "application/json");
          body = r.pick([`{"aid":"${toHex(r.bytes(r.int(17)))}","related":true}`, "{", "null", "[]", `{"key":"${toHex(r.bytes(16))}","kdf":"x","scp":"9"}`, `"x"`]);
          break;
        case 2:
          headers.set("content-type", r.pick(["multipart/form-data; boundary=zz", "application/x-www-form-urlencoded", "application/json"]));
          body = r.bytes(r.int(1000));
          break;
        case 3:
          body = r.bytes(r.int(100));
          break;
        default:
          body = undefined;
      }
    }
    try {
      const res = await dash.app.request(`http://127.0.0.1:${PORT}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const text = path.startsWith("/api/events") ? (await res.body?.cancel(), "") : await res.text();
      const type = headers.get("content-type") ?? (body instanceof FormData ? "form" : "no type");
      if (res.status === 500 || res.status > 503) api.fail(`case ${i}: ${method} ${path} (${type}) -> ${res.status} ${text.slice(0, 200)}`);
      else api.pass();
    } catch (e) {
      api.fail(`case ${i}: ${method} ${path} threw ${(e as Error).message}`);
    }
  }
  console.log(`robustness dashboard fuzz statuses: ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s} ${n}`).join(", ")}`);
  expect(api.failures).toEqual([]);
  expect(card.stateDigest()).toBe(before);
  expect(dash.state.locks.holder(NAME)).toBeUndefined();
  await dash.close();
  card.close();
}, LONG ? 900_000 : 60_000);
