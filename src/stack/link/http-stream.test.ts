/** Responses in steps (docs/link-protocol.md section 8.1): the chunked pieces, their decoding, and the link carrying them. */
import { describe, expect, test } from "bun:test";
import { CommandApdu, ResponseApdu } from "../apdu.ts";
import { concat } from "../bytes.ts";
import type { Transport } from "../transport/transport.ts";
import { CardLink } from "./card-link.ts";
import { LinkClient } from "./client.ts";
import { CARD_AGENT, LINK_ERROR, PENDING, TERMINAL_AGENT } from "./constants.ts";
import { HttpFormatError, parseResponse } from "./http.ts";
import { chunkedAgentStream, ResponseReader } from "./http-stream.ts";
import { decodeLinkInfo } from "./link-info.ts";
import { LinkError } from "./link-error.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** A body of `steps` pieces, each produced only when read; `produced` counts the pieces made so far. */
function steppedBody(steps: string[]) {
  const state = { produced: 0 };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        const next = steps[state.produced++];
        if (next === undefined) c.close();
        else c.enqueue(enc(next));
      },
    },
    { highWaterMark: 0 },
  );
  return { response: new Response(body, { status: 200, headers: { "content-type": "application/x-ndjson" } }), state };
}

describe("chunkedAgentStream", () => {
  test("head and one chunk a step; the last piece carries the last chunk and is marked last", async () => {
    const { response, state } = steppedBody(["a\n", "bb\n", "ccc\n"]);
    const stream = chunkedAgentStream(response);
    const first = await stream.next();
    // Read ahead by one: the piece sent is known not to be the last.
    expect(state.produced).toBe(2);
    expect(dec(first.bytes)).toBe("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n2\r\na\n\r\n");
    expect(first.last).toBe(false);
    const second = await stream.next();
    expect(dec(second.bytes)).toBe("3\r\nbb\n\r\n");
    expect(second.last).toBe(false);
    const third = await stream.next();
    expect(dec(third.bytes)).toBe("4\r\nccc\n\r\n0\r\n\r\n");
    expect(third.last).toBe(true);
    // The whole is one valid HTTP message.
    const whole = parseResponse(concat(first.bytes, second.bytes, third.bytes));
    expect(await whole.text()).toBe("a\nbb\nccc\n");
  });
});

describe("ResponseReader", () => {
  const message = enc("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nA\r\n, world!!\n\r\n0\r\n\r\n");

  test("decodes the head and the body whatever the pieces the bytes arrive in", () => {
    for (const size of [1, 2, 3, 7, 16, message.length]) {
      const reader = new ResponseReader();
      const body: Uint8Array[] = [];
      for (let o = 0; o < message.length; o += size) body.push(...reader.feed(message.subarray(o, o + size)));
      expect({ size, status: reader.head?.status, type: reader.head?.headers.get("content-type"), body: dec(concat(...body)) }).toEqual({
        size,
        status: 200,
        type: "application/x-ndjson",
        body: "hello, world!!\n",
      });
    }
  });

  test("a response with a Content-Length is left whole: no head early, no pieces", () => {
    const reader = new ResponseReader();
    expect(reader.feed(enc("HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\n{}"))).toEqual([]);
    expect(reader.chunked).toBe(false);
    expect(reader.head).toBeUndefined();
  });

  test("a bad chunk size or an endless head is refused", () => {
    expect(() => new ResponseReader().feed(enc("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))).toThrow(HttpFormatError);
    expect(() => new ResponseReader().feed(enc("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n123456789\r\n"))).toThrow("Invalid chunk size");
    expect(() => new ResponseReader().feed(new Uint8Array(9000).fill(0x41))).toThrow("over 8192 bytes");
  });
});

/** A card whose HTTP agent answers in `steps` pieces, and a transport recording each answer's SW. */
function steppedCard(steps: string[], levelOf: () => number = () => 0) {
  const served = { state: { produced: 0 } };
  const card = new CardLink({
    maxCommand: 65_535,
    maxResponse: 65_536,
    agents: [
      {
        id: CARD_AGENT.HTTP,
        name: "http",
        serve: () => {
          const { response, state } = steppedBody(steps);
          served.state = state;
          return chunkedAgentStream(response);
        },
      },
    ],
  });
  const sws: number[] = [];
  const transport: Transport = {
    extendedLength: true,
    async transmit(bytes) {
      const cmd = CommandApdu.parse(bytes);
      const r: ResponseApdu = cmd.ins === 0xa4 ? card.select() : await card.process(cmd, { level: levelOf() });
      if (cmd.ins !== 0xa4) sws.push(r.sw);
      return r.toBytes();
    },
  };
  return { card, transport, sws, served };
}

describe("link: a response in steps", () => {
  test("one step per EXCHANGE, 91 04 while the agent works, the parts before the whole", async () => {
    const { card, transport, sws, served } = steppedCard(["one\n", "two\n", "three\n", "four\n"]);
    const client = new LinkClient(transport, decodeLinkInfo(card.select().data));
    const parts: string[] = [];
    const message = await client.exchange(enc("GET / HTTP/1.1\r\nHost: card\r\n\r\n"), CARD_AGENT.HTTP, TERMINAL_AGENT.OL, (b) => parts.push(dec(b)));
    // The request and the first two steps (read ahead), then one step a poll; the last answer ends it.
    expect(sws).toEqual([0x9100 | PENDING.WORKING, 0x9100 | PENDING.WORKING, 0x9100 | PENDING.WORKING, 0x9000]);
    expect(served.state.produced).toBe(5);
    expect(parts.length).toBe(4);
    expect(await parseResponse(message).text()).toBe("one\ntwo\nthree\nfour\n");
    expect(parts.join("")).toBe(dec(message));
    expect(card.endpoint.openSessions()).toEqual([]);
  });

  test("an EXCHANGE under less security than the request came with aborts the response", async () => {
    let level = 0x01;
    const { card, transport, served } = steppedCard(["one\n", "two\n", "three\n", "four\n"], () => level);
    const client = new LinkClient(transport, decodeLinkInfo(card.select().data));
    const pending = client.exchange(enc("GET / HTTP/1.1\r\nHost: card\r\n\r\n"), CARD_AGENT.HTTP, TERMINAL_AGENT.OL, () => {
      level = 0x00; // the channel drops after the first piece
    });
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkError);
    expect((error as LinkError).code).toBe(LINK_ERROR.ABORTED);
    // Nothing more of the agent's work ran once the level dropped.
    expect(served.state.produced).toBe(2);
    expect(card.endpoint.openSessions()).toEqual([]);
  });
});

test("a card that keeps saying it is working but sends nothing is given up after the idle limit", async () => {
  const card = new CardLink({ maxCommand: 65_535, maxResponse: 65_536, agents: [{ id: CARD_AGENT.HTTP, name: "http" }] });
  let exchanges = 0;
  const transport: Transport = {
    extendedLength: true,
    async transmit(bytes) {
      const cmd = CommandApdu.parse(bytes);
      if (cmd.ins === 0xa4) return card.select().toBytes();
      exchanges++;
      return ResponseApdu.of(0x9100 | PENDING.WORKING).toBytes();
    },
  };
  const client = new LinkClient(transport, decodeLinkInfo(card.select().data), { maxIdlePolls: 8 });
  const error = await client.exchange(enc("GET / HTTP/1.1\r\nHost: card\r\n\r\n")).catch((e: unknown) => e);
  expect((error as Error).message).toBe("The card's link sent nothing for 8 polls while a response was awaited");
  // The request itself, then 8 empty polls allowed, the 9th gives up.
  expect(exchanges).toBe(1 + 9);
});
