/**
 * The card's web server against hostile requests over the link (issue 20):
 * a bad request gets a 4xx with a fixed text, never 500 or an internal
 * message; who asks is checked before the body is read and the nonce before
 * the load file is opened; the loader's deliveries cannot use up the
 * sessions; every refusal leaves the card as it was.
 */
import { describe, expect, test } from "bun:test";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { concat } from "../../src/stack/bytes.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { CARD_AGENT, FRAME_KIND, LINK_ERROR, TERMINAL_AGENT } from "../../src/stack/link/constants.ts";
import { decodeFrames, encodeFrames } from "../../src/stack/link/frames.ts";
import { CardWeb, cardRequest } from "../../src/host/link/card-web.ts";
import { MAX_PENDING_DELIVERIES } from "../../src/card/link/link-app.ts";
import { capBytes } from "./helpers.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const auth = { secure: { keys: defaultKeys("AES"), level: "mac" as const } };

/** Send raw request bytes on a fresh link session; the raw response as text. */
async function raw(web: CardWeb, request: string | Uint8Array): Promise<string> {
  return new TextDecoder().decode(await web.client.exchange(typeof request === "string" ? enc(request) : request));
}

describe("requests that are not acceptable HTTP get a 4xx with a fixed text", () => {
  const cases: [string, string, number, string][] = [
    ["a header name with a space", "GET / HTTP/1.1\r\nHost: card\r\nBad Header: x\r\n\r\n", 400, "The request is not valid HTTP/1.1."],
    ["a header name with a control byte", "GET / HTTP/1.1\r\nX\u0001Y: 1\r\n\r\n", 400, "The request is not valid HTTP/1.1."],
    ["a header value with NUL", "GET / HTTP/1.1\r\nX-A: a\u0000b\r\n\r\n", 400, "The request is not valid HTTP/1.1."],
    ["65 header fields", `GET / HTTP/1.1\r\n${Array.from({ length: 65 }, (_, i) => `X-${i}: 1`).join("\r\n")}\r\n\r\n`, 431, "The request's header section is too large: at most 8192 bytes and 64 fields."],
    ["a 9 KB header section", `GET / HTTP/1.1\r\nX-Big: ${"a".repeat(9000)}\r\n\r\n`, 431, "The request's header section is too large: at most 8192 bytes and 64 fields."],
    ["a header section that never ends", `GET / HTTP/1.1\r\nX-Big: ${"a".repeat(9000)}`, 431, "The request's header section is too large: at most 8192 bytes and 64 fields."],
    ["the gzip transfer coding", "POST /cgi-bin/load HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "The request uses a transfer coding the card does not implement (only chunked)."],
    ["a bad chunk size", "POST /cgi-bin/load HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "The request is not valid HTTP/1.1."],
    ["a Content-Length of 11 digits", "POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", 400, "The request is not valid HTTP/1.1."],
  ];
  test.each(cases)("%s", async (_name, request, status, text) => {
    const card = createWebCard();
    const before = card.stateDigest();
    const web = await CardWeb.open(inProcessTransport(card));
    const answer = await raw(web, request);
    expect(answer).toStartWith(`HTTP/1.1 ${status} `);
    expect(answer).toEndWith(`\r\n\r\n${text}`);
    expect(card.stateDigest()).toBe(before);
  });
});

describe("the CGI gateway checks who asks before it reads, and the nonce before it opens the load file", () => {
  const garbage = new Uint8Array(5000).fill(0x50);
  const post = (web: CardWeb, fields: Record<string, string | Uint8Array>, headers: Record<string, string> = {}) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v === "string") form.set(k, v);
      else form.set(k, new Blob([v as Uint8Array<ArrayBuffer>]), "f.cap");
    }
    return web.fetch(cardRequest("/cgi-bin/load", { method: "POST", body: form, headers: { accept: "application/json", ...headers } }));
  };

  test("without authentication: 401 whatever the body (a file that is no CAP, a wrong type, install=[null])", async () => {
    const card = createWebCard();
    const before = card.stateDigest();
    const web = await CardWeb.open(inProcessTransport(card));
    expect((await post(web, { "load-file": garbage, nonce: "00" })).status).toBe(401);
    expect((await post(web, { install: "[null]", nonce: "00" })).status).toBe(401);
    const json = await web.fetch(cardRequest("/cgi-bin/load", { method: "POST", body: "{}", headers: { "content-type": "application/json" } }));
    expect(json.status).toBe(401);
    expect(card.stateDigest()).toBe(before);
  });

  test("authenticated with a wrong nonce: 403 before the load file is opened (a file that is no CAP is not reported)", async () => {
    const card = createWebCard();
    const before = card.stateDigest();
    const web = await CardWeb.open(inProcessTransport(card), auth);
    const r = await post(web, { "load-file": garbage, nonce: "00".repeat(16) });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { message: string }).message).toContain("nonce");
    expect(card.stateDigest()).toBe(before);
  });

  async function withNonce(web: CardWeb): Promise<string> {
    const page = await (await web.fetch(cardRequest("/loader", { headers: { accept: "text/html" } }))).text();
    return /name="nonce" value="([0-9A-F]{32})"/.exec(page)![1]!;
  }

  test.each([
    ["[null]", "install[0] must be an object {module, instance, privileges, parameters}"],
    ["[1,2]", "install[0] must be an object {module, instance, privileges, parameters}"],
    ['[{"module":"0102"}]', "install[0].module must be an AID of 5-16 bytes, got 2 bytes"],
    ['[{"module":"0102030405","privileges":"0102"}]', "install[0].privileges must be 1 or 3 bytes, got 2 bytes"],
    ["{}", "Field install must be a non-empty list"],
    [`[${Array.from({ length: 33 }, () => '{"module":"0102030405"}').join(",")}]`, "Field install lists 33 applets; at most 32"],
  ])("authenticated, install=%s: 400 with one line, nothing loaded", async (install, message) => {
    const card = createWebCard();
    const before = card.stateDigest();
    const web = await CardWeb.open(inProcessTransport(card), auth);
    const r = await post(web, { "load-file": capBytes("kaoh_helloworld.cap"), nonce: await withNonce(web), install });
    expect({ status: r.status, message: ((await r.json()) as { message: string }).message }).toEqual({ status: 400, message });
    expect(card.stateDigest()).toBe(before);
  });

  test("authenticated: a body over the limit is refused from its Content-Length (413), a form of another type is 415", async () => {
    const card = createWebCard();
    const web = await CardWeb.open(inProcessTransport(card), auth);
    const big = await raw(web, "POST /cgi-bin/load HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 200000\r\n\r\n");
    // The link refuses a message over its 128 KiB before the card reads it; a declared length over the server's limit is 400 (it does not match the body) or 413.
    expect(big).toMatch(/^HTTP\/1\.1 4\d\d /);
    const json = await web.fetch(cardRequest("/cgi-bin/load", { method: "POST", body: "{}", headers: { "content-type": "application/json" } }));
    expect({ status: json.status, body: await json.json() }).toEqual({ status: 415, body: { status: 415, message: "The loading file must be multipart/form-data or a URL-encoded form" } });
    const broken = await web.fetch(cardRequest("/cgi-bin/load", { method: "POST", body: "--zz\r\n", headers: { "content-type": "multipart/form-data; boundary=zz" } }));
    expect({ status: broken.status, body: await broken.json() }).toEqual({ status: 400, body: { status: 400, message: "The loading file is not a well-formed form" } });
  });
});

describe("the loader's deliveries cannot use up the link's sessions", () => {
  test("six GET /loader from a terminal that never answers the deliveries: all 202, the oldest deliveries are aborted", async () => {
    const card = createWebCard();
    const t = inProcessTransport(card);
    const select = await t.transmit(concat(0x00, 0xa4, 0x04, 0x00, 9, 0xf0, 0x57, 0x45, 0x42, 0x43, 0x41, 0x52, 0x44, 0x01, 0));
    expect(select.subarray(-2)).toEqual(Uint8Array.of(0x90, 0x00));
    const statuses: number[] = [];
    const aborted: number[] = [];
    for (let i = 1; i <= 6; i++) {
      const data = encodeFrames([
        { kind: FRAME_KIND.OPEN, flags: 0, session: i, seq: 0, payload: Uint8Array.of(TERMINAL_AGENT.OL, CARD_AGENT.HTTP) },
        { kind: FRAME_KIND.DATA, flags: 0x3, session: i, seq: 0, payload: enc("GET /loader HTTP/1.1\r\nAccept: application/json\r\n\r\n") },
      ]);
      const answer = await t.transmit(concat(0x80, 0x3c, 0, 0, 0, data.length >> 8, data.length & 0xff, data, 0, 0));
      const frames = decodeFrames(answer.subarray(0, -2));
      for (const f of frames) {
        if (f.kind === FRAME_KIND.ERROR && f.payload[0] === LINK_ERROR.ABORTED) aborted.push(f.session);
        if (f.kind === FRAME_KIND.DATA && f.session === i) statuses.push(Number(/^HTTP\/1\.1 (\d{3})/.exec(new TextDecoder().decode(f.payload))?.[1]));
      }
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202]);
    // Each delivery beyond MAX_PENDING_DELIVERIES aborts the oldest one still waiting.
    expect(aborted.length).toBe(6 - MAX_PENDING_DELIVERIES);
    expect(new Set(aborted).size).toBe(aborted.length);
  });
});
