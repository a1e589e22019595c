import { describe, expect, test } from "bun:test";
import { FormatError } from "../errors.ts";
import { HTTP_LIMITS, HttpFormatError, parseRequest, parseResponse, serializeRequest, serializeResponse } from "./http.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

describe("HTTP/1.1 messages", () => {
  test("a GET request serializes to the origin form with Host", async () => {
    const b = await serializeRequest(new Request("http://card/loader?x=1", { headers: { accept: "application/json" } }));
    expect(text(b)).toBe("GET /loader?x=1 HTTP/1.1\r\nHost: card\r\nAccept: application/json\r\n\r\n");
  });

  test("a POST round-trips with its binary body", async () => {
    const body = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const b = await serializeRequest(new Request("http://card/cgi-bin/load", { method: "POST", body, headers: { "content-type": "application/octet-stream" } }));
    expect(text(b)).toContain("Content-Length: 300\r\n");
    const back = parseRequest(b);
    expect(back.method).toBe("POST");
    expect(new URL(back.url).pathname).toBe("/cgi-bin/load");
    expect(new Uint8Array(await back.arrayBuffer())).toEqual(body);
  });

  test("a response round-trips with status, reason and headers", async () => {
    const b = await serializeResponse(new Response("hi", { status: 403, headers: { "x-a": "1" } }));
    expect(text(b)).toStartWith("HTTP/1.1 403 Forbidden\r\n");
    const r = parseResponse(b);
    expect(r.status).toBe(403);
    expect(r.headers.get("x-a")).toBe("1");
    expect(await r.text()).toBe("hi");
  });

  test("a chunked body is decoded, both when made here and by hand", async () => {
    const made = await serializeResponse(new Response("abcdefghij"), { chunkSize: 4 });
    expect(text(made)).toContain("Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n4\r\nefgh\r\n2\r\nij\r\n0\r\n\r\n");
    expect(await parseResponse(made).text()).toBe("abcdefghij");
    const hand = bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n");
    expect(await parseResponse(hand).text()).toBe("hello");
  });

  test("204 has no body", () => {
    expect(parseResponse(bytes("HTTP/1.1 204 No Content\r\n\r\n")).body).toBeNull();
  });

  test.each([
    ["no header end", "GET / HTTP/1.1\r\nHost: card\r\n"],
    ["bad request line", "GET  / HTTP/1.1\r\n\r\n"],
    ["absolute target", "GET http://x/ HTTP/1.1\r\n\r\n"],
    ["short body", "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc"],
    ["long body", "POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nabc"],
    ["body without length", "POST / HTTP/1.1\r\n\r\nabc"],
    ["both lengths", "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc"],
    ["bad header", "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n"],
    ["truncated chunk", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nabc"],
  ])("rejects %s", (_name, message) => {
    expect(() => parseRequest(bytes(message))).toThrow(FormatError);
  });
});

test("a FormData body keeps its multipart Content-Type", async () => {
  const form = new FormData();
  form.set("nonce", "00");
  const back = parseRequest(await serializeRequest(new Request("http://card/cgi-bin/load", { method: "POST", body: form })));
  expect((await back.formData()).get("nonce")).toBe("00");
});

describe("limits and the status of each refusal", () => {
  const status = (message: string) => {
    try {
      parseRequest(bytes(message));
      return 0;
    } catch (e) {
      return e instanceof HttpFormatError ? e.status : -1;
    }
  };

  test.each([
    ["64 header fields pass", `GET / HTTP/1.1\r\n${Array.from({ length: HTTP_LIMITS.headerFields }, (_, i) => `X-${i}: 1`).join("\r\n")}\r\n\r\n`, 0],
    ["65 header fields", `GET / HTTP/1.1\r\n${Array.from({ length: HTTP_LIMITS.headerFields + 1 }, (_, i) => `X-${i}: 1`).join("\r\n")}\r\n\r\n`, 431],
    ["a header section over 8 KiB", `GET / HTTP/1.1\r\nX: ${"a".repeat(HTTP_LIMITS.headerBytes)}\r\n\r\n`, 431],
    ["no end and over 8 KiB", `GET / HTTP/1.1\r\nX: ${"a".repeat(HTTP_LIMITS.headerBytes)}`, 431],
    ["a header name that is no token", "GET / HTTP/1.1\r\nA(b): 1\r\n\r\n", 400],
    ["a control byte in a value", "GET / HTTP/1.1\r\nA: \u0007\r\n\r\n", 400],
    ["obs-text in a value passes", "GET / HTTP/1.1\r\nA: caf\u00e9\r\n\r\n", 0],
    ["a transfer coding other than chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501],
  ])("%s", (_name, message, expected) => {
    expect(status(message)).toBe(expected);
  });
});
