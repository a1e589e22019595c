/**
 * The hostile-input scenario through the real PC/SC stack (run inside a
 * private namespace by hostile-pcsc.test.ts, with its own pcscd and vpcd):
 * `webcard sim` as a real process, driven by the project's PC/SC client
 * with a 2 s limit on every command. Prints one JSON object: counts per
 * phase, the first failures, the card process's memory (VmRSS/VmHWM from
 * /proc) and the registry before and after.
 *
 * Phases: every 1-byte APDU value; APDUs of 2 bytes to 65,535 bytes (and
 * past vpcd's limit); random link frames (seeded); hostile HTTP requests
 * over the link; an upload over the link's message limit; ZIP bombs
 * uploaded without and with authentication.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { concat, fromHex, toHex } from "../../src/stack/bytes.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { FRAME_KIND, LINK_AID, LINK_ERROR, TERMINAL_AGENT } from "../../src/stack/link/constants.ts";
import { decodeFrames, encodeFrames, type Frame } from "../../src/stack/link/frames.ts";
import type { LoaderParameters } from "../../src/stack/web/port.ts";
import { CardWeb, cardRequest } from "../../src/host/link/card-web.ts";
import { connectReader, type ReaderConnection } from "../../src/host/pcsc/connect.ts";
import { startSim } from "../card/sim-process.ts";
import { registryLines } from "../link/helpers.ts";
import { scenario } from "../pcsc/scenarios/run.ts";
import { Counts, mutate, rng, SEED, type Rng } from "./common.ts";
import { deflateBombCap, manyEntriesCap, nestedBombCap, overlapBombCap } from "./zip-bombs.ts";

/** The limit on every command: a card that does not answer within it counts as a hang. */
const APDU_LIMIT_MS = 2000;
const LINK_FRAMES = Number(process.env.HOSTILE_LINK_FRAMES ?? 400);
const RANDOM_LENGTHS = Number(process.env.HOSTILE_RANDOM_LENGTHS ?? 40);
const SELECT_LINK = concat(fromHex("00A40400"), LINK_AID.length, LINK_AID, 0);

// A PID namespace of our own: mount its /proc so the card process's status can be read by its PID.
Bun.spawnSync(["mount", "-t", "proc", "proc", "/proc"]);

await scenario(async (pcscd) => {
  const reader = pcscd.readers[0]!;
  const dir = mkdtempSync(join(tmpdir(), "webcard-hostile-"));
  const sim = await startSim(reader.port, ["--state", join(dir, "card.sqlite"), "--reset"]);
  const pid = sim.proc.pid;
  const memory = () => {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rssKb: kb("VmRSS"), hwmKb: kb("VmHWM") };
  };
  const memoryAt: Record<string, { rssKb: number; hwmKb: number }> = { start: memory() };
  const alive = () => sim.proc.exitCode === null && sim.proc.signalCode === null;

  /** A connection with the 2 s limit, waiting (up to 10 s) for the card to be in the reader. */
  const connect = async (): Promise<ReaderConnection> => {
    const end = Date.now() + 10_000;
    for (;;) {
      try {
        return await connectReader({ reader: reader.name, timeoutMs: APDU_LIMIT_MS });
      } catch (e) {
        if (Date.now() > end) throw e;
        await Bun.sleep(100);
      }
    }
  };
  let conn = await connect();
  const reconnect = async () => {
    await conn.close().catch(() => undefined);
    conn = await connect();
  };
  const registryBefore = await registryLines(conn);

  /** Send one APDU: "sw XXXX", "atr", or the error's kind ("timeout" is a hang). */
  const send = async (apdu: Uint8Array): Promise<string> => {
    try {
      const r = await conn.transmit(apdu);
      return `sw ${toHex(r.subarray(r.length - 2))}`;
    } catch (e) {
      return `error ${(e as { kind?: string }).kind ?? (e as Error).message}`;
    }
  };

  // 1. Every 1-byte APDU. 00, 01 and 02 are vpcd's power off/on/reset codes as well: the card
  //    cannot answer them, it re-attaches after 1 s of silence so the reader is freed (a removal).
  const oneByte = new Counts("1-byte APDUs");
  const oneByteAnswers = new Map<string, number>();
  for (let b = 0; b < 256; b++) {
    const got = await send(Uint8Array.of(b));
    oneByteAnswers.set(got, (oneByteAnswers.get(got) ?? 0) + 1);
    const control = b <= 2;
    const ok = control ? got === "error removed" : b === 4 ? got.startsWith("sw ") : got === "sw 6700";
    if (ok) oneByte.pass();
    else oneByte.fail(`${toHex(Uint8Array.of(b))}: ${got}`);
    if (control) {
      await reconnect();
      if ((await send(fromHex("00A4040000"))).startsWith("sw ")) oneByte.pass();
      else oneByte.fail(`after ${toHex(Uint8Array.of(b))}: the card did not come back`);
    }
  }
  memoryAt.oneByte = memory();

  // 2. APDUs of every size class up to vpcd's 65,535-byte messages, then past them
  //    (vpcd itself refuses those and drops the card: an error, then the card comes back).
  const sizes = new Counts("APDU sizes");
  const r = rng(SEED ^ 0x51e);
  const lengths = [2, 3, 4, 5, 6, 7, 8, 9, 254, 255, 256, 259, 260, 261, 262, 263, 264, 1000, 4096, 32_768, 65_534, 65_535];
  for (let i = 0; i < RANDOM_LENGTHS; i++) lengths.push(2 + r.int(65_534));
  for (const n of lengths) {
    const apdu = r.bytes(n);
    apdu[0] = r.pick([0x00, 0x80, 0x84, 0x0c, 0xff, apdu[0]!]);
    const got = await send(apdu);
    if (got.startsWith("sw ") && got !== "sw 6F00") sizes.pass();
    else sizes.fail(`${n} bytes ${toHex(apdu.subarray(0, 8))}: ${got}`);
  }
  for (const n of [65_536, 65_544]) {
    const got = await send(r.bytes(n));
    if (got !== "error timeout") sizes.pass();
    else sizes.fail(`${n} bytes: ${got}`);
    await reconnect();
  }
  memoryAt.sizes = memory();

  // 3. Random and mutated link frames in EXCHANGE commands (no secure channel).
  const frames = new Counts("link frames");
  const fr = rng(SEED ^ 0xf4a);
  await send(SELECT_LINK);
  for (let i = 0; i < LINK_FRAMES; i++) {
    if (fr.int(30) === 0) await send(SELECT_LINK);
    const data = fr.int(3) ? encodeFrames(randomFrames(fr)) : mutate(fr, encodeFrames(randomFrames(fr)));
    const got = await send(exchange(fr, data));
    if (got.startsWith("sw ") && got !== "sw 6F00") frames.pass();
    else frames.fail(`frame case ${i}: ${got}`);
  }
  memoryAt.frames = memory();

  // 4. Hostile HTTP over the link, unauthenticated: a 4xx with a fixed text, never 500.
  const http = new Counts("HTTP requests");
  const web = await CardWeb.open(conn);
  for (const [name, request, want] of hostileRequests()) {
    try {
      const answer = new TextDecoder().decode(await web.client.exchange(new TextEncoder().encode(request)));
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
      if (want(status)) http.pass();
      else http.fail(`${name}: ${answer.slice(0, 160)}`);
    } catch (e) {
      http.fail(`${name}: ${(e as Error).message}`);
    }
  }
  // A client that never answers the sessions the loader opens (raw frames): six GET /loader in a row.
  await send(SELECT_LINK);
  for (let i = 1; i <= 6; i++) {
    const request = new TextEncoder().encode("GET /loader HTTP/1.1\r\nHost: card\r\nAccept: application/json\r\n\r\n");
    const data = encodeFrames([
      { kind: FRAME_KIND.OPEN, flags: 0, session: i, seq: 0, payload: Uint8Array.of(TERMINAL_AGENT.OL, 1) },
      { kind: FRAME_KIND.DATA, flags: 0x3, session: i, seq: 0, payload: request },
    ]);
    let answer: Uint8Array;
    try {
      answer = await conn.transmit(concat(0x80, 0x3c, 0, 0, 0, data.length >> 8, data.length & 0xff, data, 0, 0));
    } catch (e) {
      http.fail(`GET /loader ${i} without answering: ${(e as Error).message}`);
      continue;
    }
    const text = new TextDecoder().decode(answer);
    const status = Number(/HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
    if (status === 202 || status === 503) http.pass();
    else http.fail(`GET /loader ${i} without answering: ${status} ${text.slice(0, 120)}`);
  }
  memoryAt.http = memory();

  // An upload over the card's advertised message limit (tag 83 of the SELECT answer): refused with a
  // link ERROR 05 at the first chunk that passes the limit, before the rest is sent or read.
  const oversize = new Counts("upload over the link's limit");
  {
    const info = web.info;
    const chunk = 60_000;
    const total = info.maxMessage + 3 * chunk;
    const head = new TextEncoder().encode(`POST /cgi-bin/load HTTP/1.1\r\nHost: card\r\nContent-Type: application/octet-stream\r\nContent-Length: ${total}\r\n\r\n`);
    const message = concat(head, new Uint8Array(total));
    const session = 0x21;
    let refusedAt = -1;
    await send(SELECT_LINK);
    for (let seq = 0, at = 0; at < message.length; seq++, at += chunk) {
      const last = at + chunk >= message.length;
      const frames: Frame[] = [{ kind: FRAME_KIND.DATA, flags: last ? 0x3 : 0, session, seq, payload: message.subarray(at, at + chunk) }];
      if (seq === 0) frames.unshift({ kind: FRAME_KIND.OPEN, flags: 0, session, seq: 0, payload: Uint8Array.of(TERMINAL_AGENT.OL, 1) });
      const data = encodeFrames(frames);
      const answer = await conn.transmit(concat(0x80, 0x3c, 0, 0, 0, data.length >> 8, data.length & 0xff, data, 0, 0)).catch(() => new Uint8Array(0));
      if (answer.length < 2) break;
      const out = answer.length > 2 ? decodeFrames(answer.subarray(0, -2)) : [];
      if (out.some((f) => f.kind === FRAME_KIND.ERROR && f.session === session && f.payload[0] === LINK_ERROR.TOO_LARGE)) {
        refusedAt = at + chunk;
        break;
      }
    }
    if (refusedAt > 0 && refusedAt <= info.maxMessage + chunk) oversize.pass();
    else oversize.fail(`a ${total}-byte upload was not refused by the time ${info.maxMessage + chunk} bytes were sent (refused at ${refusedAt})`);
  }
  memoryAt.oversize = memory();

  // 5. ZIP bombs, unauthenticated: refused (401) before the body is parsed.
  const bombs: [string, Uint8Array][] = [
    ["deflate 97 MiB", deflateBombCap(97, "truth")],
    ["deflate 97 MiB declared 1,000 bytes", deflateBombCap(97, 1000)],
    ["nested", nestedBombCap(3)],
    ["overlapping x200", overlapBombCap(200, 97)],
    ["1,200 entries", manyEntriesCap(1200)],
  ];
  const unauth = new Counts("ZIP bombs without authentication");
  for (const [name, bomb] of bombs) {
    const res = await web.fetch(upload(bomb, "00".repeat(16)));
    const body = await res.text();
    if (res.status === 401) unauth.pass();
    else unauth.fail(`${name}: ${res.status} ${body.slice(0, 160)}`);
  }
  memoryAt.unauthenticated = memory();

  // 6. ZIP bombs with authentication (SCP03, C-MAC) and a fresh nonce each: refused (400) naming the limit.
  const auth = new Counts("ZIP bombs with authentication");
  let delivered: (p: LoaderParameters) => void = () => undefined;
  const secureWeb = await CardWeb.open(conn, {
    secure: { keys: defaultKeys("AES"), level: "mac" },
    agents: new Map([[TERMINAL_AGENT.OL, async (req: Request) => (delivered((await req.json()) as LoaderParameters), new Response(null, { status: 204 }))]]),
  });
  for (const [name, bomb] of bombs) {
    const parameters = new Promise<LoaderParameters>((resolve) => (delivered = resolve));
    await secureWeb.fetch(cardRequest("/loader", { headers: { accept: "application/json" } }));
    const { nonce } = await Promise.race([parameters, Bun.sleep(5000).then(() => ({ nonce: "none" }))]);
    const res = await secureWeb.fetch(upload(bomb, nonce));
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    if (res.status === 400 && /limit|damaged|forged|tag 80/.test(body.message ?? "")) auth.pass();
    else auth.fail(`${name}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
  }
  memoryAt.authenticated = memory();

  await reconnect();
  const registryAfter = await registryLines(conn);
  await conn.close().catch(() => undefined);
  const stillAlive = alive();
  sim.proc.kill("SIGTERM");
  await sim.proc.exited;
  rmSync(dir, { recursive: true, force: true });
  const errors = sim.stderr().split("\n").filter((l) => /error:|6F00/.test(l));
  return {
    phases: [oneByte, sizes, frames, http, oversize, unauth, auth].map((p) => ({ name: p.suite, tried: p.tried, passed: p.passed, failed: p.failed, failures: p.failures })),
    oneByteAnswers: Object.fromEntries(oneByteAnswers),
    memory: memoryAt,
    registryBefore,
    registryAfter,
    stillAlive,
    cardErrors: errors.slice(0, 10),
  };
});

/** An EXCHANGE command around `data`: short or extended, sometimes with a wrong class or P1. */
function exchange(r: Rng, data: Uint8Array): Uint8Array {
  const cla = r.pick([0x80, 0x80, 0x80, 0x84, 0x00]);
  const p1 = r.int(10) ? 0 : r.pick([1, 2, 0xff]);
  if (data.length <= 255 && r.int(2)) return concat(cla, 0x3c, p1, 0, data.length, data, 0);
  return concat(cla, 0x3c, p1, 0, 0, data.length >> 8, data.length & 0xff, data, 0, 0);
}

/** One to four frames: OPEN, DATA carrying hostile HTTP or bytes, ERROR; random sessions and sequence numbers. */
function randomFrames(r: Rng): Frame[] {
  const out: Frame[] = [];
  const requests = hostileRequests().map(([, text]) => text);
  for (let i = 0, n = 1 + r.int(4); i < n; i++) {
    const session = r.pick([1, 2, 3, 0x7f, 0x81, r.int(256)]);
    switch (r.int(4)) {
      case 0:
        out.push({ kind: FRAME_KIND.OPEN, flags: 0, session, seq: 0, payload: Uint8Array.of(TERMINAL_AGENT.OL, r.pick([1, 2, r.int(256)])) });
        break;
      case 3:
        out.push({ kind: FRAME_KIND.ERROR, flags: 0, session, seq: r.int(65_536), payload: concat(r.int(256), r.bytes(r.int(20))) });
        break;
      default: {
        const payload = r.int(3) ? new TextEncoder().encode(r.pick(requests)) : r.bytes(r.int(300));
        out.push({ kind: FRAME_KIND.DATA, flags: r.int(4), session, seq: r.int(4) ? r.int(3) : r.int(65_536), payload: payload.subarray(0, 4000) });
      }
    }
  }
  return out;
}

/** A multipart upload of `cap` to the loader's CGI script. */
function upload(cap: Uint8Array, nonce: string): Request {
  const form = new FormData();
  form.append("nonce", nonce);
  form.append("load-file", new File([cap as Uint8Array<ArrayBuffer>], "bomb.cap"));
  return cardRequest("/cgi-bin/load", { method: "POST", body: form, headers: { accept: "application/json" } });
}

/** Raw HTTP requests a hostile client sends, and the statuses that are a right answer. */
function hostileRequests(): [string, string, (status: number) => boolean][] {
  const clientError = (s: number) => s >= 400 && s < 500;
  const form = (fields: string) => {
    const body = fields;
    return `POST /cgi-bin/load HTTP/1.1\r\nHost: card\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  };
  return [
    ["bad header name", "GET / HTTP/1.1\r\nHost: card\r\nBad Header: x\r\n\r\n", clientError],
    ["header name with a control byte", "GET / HTTP/1.1\r\nHost: card\r\nX\u0001Y: x\r\n\r\n", clientError],
    ["header value with NUL", "GET / HTTP/1.1\r\nHost: card\r\nX-A: a\u0000b\r\n\r\n", clientError],
    ["header value with non-ASCII", "GET / HTTP/1.1\r\nHost: card\r\nX-A: \u00e9t\u00e9\r\n\r\n", (s) => s === 200 || clientError(s)],
    ["200 header fields", `GET / HTTP/1.1\r\nHost: card\r\n${Array.from({ length: 200 }, (_, i) => `X-${i}: ${i}`).join("\r\n")}\r\n\r\n`, clientError],
    ["a 20 KB header field", `GET / HTTP/1.1\r\nHost: card\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, clientError],
    ["install=[null] without authentication", form("install=%5Bnull%5D&nonce=00"), (s) => s === 401],
    ["install=[1,2] without authentication", form("install=%5B1%2C2%5D"), (s) => s === 401],
    ["Content-Length larger than the body", "POST /cgi-bin/load HTTP/1.1\r\nHost: card\r\nContent-Length: 100000\r\n\r\nabc", clientError],
    ["chunked with a bad size", "POST /cgi-bin/load HTTP/1.1\r\nHost: card\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", clientError],
    ["gzip transfer coding", "POST /cgi-bin/load HTTP/1.1\r\nHost: card\r\nTransfer-Encoding: gzip\r\n\r\n", (s) => s === 400 || s === 501],
    ["both Content-Length and chunked", "POST /cgi-bin/load HTTP/1.1\r\nHost: card\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc", clientError],
    ["a target that is not a path", "GET http://evil/ HTTP/1.1\r\nHost: card\r\n\r\n", clientError],
    ["HTTP/2.0", "GET / HTTP/2.0\r\nHost: card\r\n\r\n", clientError],
    ["no end of header section", "GET / HTTP/1.1\r\nHost: card\r\n", clientError],
    ["GET with a body", "GET / HTTP/1.1\r\nHost: card\r\nContent-Length: 3\r\n\r\nabc", clientError],
    ["a script name from Object.prototype", "POST /cgi-bin/constructor HTTP/1.1\r\nHost: card\r\nContent-Length: 0\r\n\r\n", (s) => s === 404],
    ["a JSON body to the CGI", "POST /cgi-bin/load HTTP/1.1\r\nHost: card\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", clientError],
    ["a broken multipart body", "POST /cgi-bin/load HTTP/1.1\r\nHost: card\r\nContent-Type: multipart/form-data; boundary=zz\r\nContent-Length: 5\r\n\r\n--zz\r", clientError],
    ["PUT a script without authentication", "PUT /admin/scripts/load HTTP/1.1\r\nHost: card\r\nContent-Length: 4\r\n\r\nnope", (s) => s === 401],
    ["GET /loader", "GET /loader HTTP/1.1\r\nHost: card\r\nAccept: application/json\r\n\r\n", (s) => s === 202 || s === 200],
  ];
}
