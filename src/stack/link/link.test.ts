/** Card and terminal ends of the link talking through an in-process transport. */
import { describe, expect, test } from "bun:test";
import { CommandApdu, ResponseApdu } from "../apdu.ts";
import { fromHex, toHex } from "../bytes.ts";
import type { Transport } from "../transport/transport.ts";
import { CardLink, type CardLinkOptions } from "./card-link.ts";
import { LinkClient } from "./client.ts";
import { CARD_AGENT, FRAME_FLAG, FRAME_KIND, LINK_ERROR, TERMINAL_AGENT } from "./constants.ts";
import { decodeFrames, encodeFrames, openFrame, type Frame } from "./frames.ts";
import { LinkError } from "./link-error.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function echoCard(extra: Partial<CardLinkOptions> = {}, extended = true) {
  const served: string[] = [];
  const card = new CardLink({
    maxCommand: extended ? 65_535 : 255,
    maxResponse: extended ? 65_536 : 256,
    agents: [
      {
        id: CARD_AGENT.HTTP,
        name: "http",
        serve: (req) => {
          served.push(dec(req));
          return enc(`echo:${req.length}:${dec(req).slice(0, 8)}`);
        },
      },
    ],
    ...extra,
  });
  return { card, served };
}

function transportTo(card: CardLink, extended: boolean, log?: string[]): Transport {
  return {
    extendedLength: extended,
    async transmit(bytes) {
      log?.push(toHex(bytes));
      const cmd = CommandApdu.parse(bytes);
      const r = cmd.ins === 0xa4 ? card.select() : await card.process(cmd);
      return r.toBytes();
    },
  };
}

const data = (session: number, seq: number, text: string, flags = 0): Frame => ({
  kind: FRAME_KIND.DATA, flags, session, seq, payload: enc(text),
});
const exchange = (frames: Frame[]) => new CommandApdu({ cla: 0x80, ins: 0x3c, p1: 0, p2: 0, data: encodeFrames(frames), ne: 256 });

describe("link: scripted exchanges", () => {
  test("one request and its response in one round trip, byte for byte", async () => {
    const { card } = echoCard();
    const r = await card.process(exchange([openFrame(0x01, 0x01, 0x01), data(0x01, 0, "GET", FRAME_FLAG.FIN | FRAME_FLAG.CLOSE)]));
    expect(r.sw).toBe(0x9000);
    // DATA FIN|CLOSE, session 01, seq 0000, 10 bytes "echo:3:GET"
    expect(toHex(r.data)).toBe("230100000000A".replace("0000A", "000A") + toHex(enc("echo:3:GET")));
    expect(card.endpoint.openSessions()).toEqual([]);
  });

  test("an EXCHANGE that does not parse changes nothing and answers 6A80", async () => {
    const { card, served } = echoCard();
    const bad = new CommandApdu({ cla: 0x80, ins: 0x3c, p1: 0, p2: 0, data: fromHex("1001000000020101230100"), ne: 256 });
    expect((await card.process(bad)).sw).toBe(0x6a80);
    expect(card.endpoint.openSessions()).toEqual([]);
    expect(served).toEqual([]);
  });

  test.each([
    ["lost", [0, 2]],
    ["repeated", [0, 0]],
    ["reordered", [1, 0]],
  ])("a %s chunk is reported, the message never delivered", async (_name, seqs) => {
    const { card, served } = echoCard();
    const r = await card.process(
      exchange([openFrame(0x01, 1, 1), data(0x01, seqs[0]!, "GET / HT"), data(0x01, seqs[1]!, "TP/1.1\r\n\r\n", FRAME_FLAG.FIN | FRAME_FLAG.CLOSE)]),
    );
    const frames = decodeFrames(r.data);
    expect(frames.length).toBe(1);
    expect(frames[0]!.kind).toBe(FRAME_KIND.ERROR);
    expect(frames[0]!.payload[0]).toBe(LINK_ERROR.SEQUENCE);
    expect(served).toEqual([]);
    expect(card.endpoint.openSessions()).toEqual([]);
    // Later chunks of the aborted session are dropped, not answered again.
    const again = await card.process(exchange([data(0x01, 2, "x", FRAME_FLAG.FIN)]));
    expect(again.data.length).toBe(0);
  });

  test("a session to an agent the card lacks is refused", async () => {
    const { card } = echoCard();
    const r = await card.process(exchange([openFrame(0x01, 1, 0x42)]));
    expect(decodeFrames(r.data)[0]!.payload[0]).toBe(LINK_ERROR.UNKNOWN_AGENT);
  });

  test("a session id from the card's range is refused", async () => {
    const { card } = echoCard();
    const r = await card.process(exchange([openFrame(0x81, 1, 1)]));
    expect(decodeFrames(r.data)[0]!.payload[0]).toBe(LINK_ERROR.PROTOCOL);
  });

  test("a message above the card's limit is refused", async () => {
    const { card } = echoCard({ maxMessage: 10 });
    const r = await card.process(exchange([openFrame(0x01, 1, 1), data(0x01, 0, "0123456789AB", FRAME_FLAG.FIN)]));
    expect(decodeFrames(r.data)[0]!.payload[0]).toBe(LINK_ERROR.TOO_LARGE);
  });
});

describe("link: client and card", () => {
  test("a terminal request over extended APDUs takes one round trip", async () => {
    const { card } = echoCard();
    const log: string[] = [];
    const client = await LinkClient.connect(transportTo(card, true, log));
    const big = enc("POST / ".padEnd(22_000, "x"));
    const response = await client.exchange(big);
    expect(dec(response)).toBe("echo:22000:POST / x");
    expect(client.exchanges).toBe(1);
    expect(log.length).toBe(2); // SELECT + one EXCHANGE
  });

  test("the same request over short APDUs fills every command", async () => {
    const { card } = echoCard({}, false);
    const client = await LinkClient.connect(transportTo(card, false), { level: "mac" });
    expect(client.link.commandRoom).toBe(247);
    const big = enc("POST / ".padEnd(22_000, "x"));
    await client.exchange(big);
    // 8 bytes of OPEN, then 241 bytes of payload per 6-byte frame header.
    expect(client.exchanges).toBe(Math.ceil((22_000 + 8) / 241));
  });

  test("several sessions interleave and each gets its own response", async () => {
    const { card, served } = echoCard({}, false);
    const log: string[] = [];
    const client = await LinkClient.connect(transportTo(card, false, log));
    const a = client.link.request(1, 1, enc("A".repeat(600))).response;
    const b = client.link.request(1, 1, enc("B".repeat(300))).response;
    const c = client.link.request(1, 1, enc("C".repeat(10))).response;
    await client.pump();
    expect(dec(await a)).toBe("echo:600:AAAAAAAA");
    expect(dec(await b)).toBe("echo:300:BBBBBBBB");
    expect(dec(await c)).toBe("echo:10:CCCCCCCC");
    expect(served.length).toBe(3);
    // One command carried the end of A and the whole of B's first chunk and C's OPEN.
    const sessionsPer = log.slice(1).map((h) => new Set(decodeFrames(CommandApdu.parse(fromHex(h)).data).map((f) => f.session)).size);
    expect(Math.max(...sessionsPer)).toBeGreaterThan(1);
  });

  test("the card opens a session to a terminal agent and gets the answer", async () => {
    let card!: CardLink;
    const got: string[] = [];
    card = new CardLink({
      maxCommand: 255,
      maxResponse: 256,
      agents: [
        {
          id: CARD_AGENT.HTTP,
          name: "http",
          serve: () => {
            card.openSession(CARD_AGENT.LOADER, TERMINAL_AGENT.OL, enc("POST /params " + "p".repeat(400)), (r) => got.push(dec(r)));
            return enc("accepted");
          },
        },
        { id: CARD_AGENT.LOADER, name: "loader" },
      ],
    });
    const delivered: string[] = [];
    const trace: string[] = [];
    const client = await LinkClient.connect(transportTo(card, false), {
      trace: (l) => trace.push(l),
      agents: [{ id: TERMINAL_AGENT.OL, name: "ol", serve: (req) => (delivered.push(dec(req).slice(0, 12)), enc("thanks")) }],
    });
    expect(dec(await client.exchange(enc("GET /loader")))).toBe("accepted");
    // The card's request spilled over several answers (SW 91xx) and the client polled for it.
    expect(delivered).toEqual(["POST /params"]);
    expect(client.link.busy()).toBe(true); // the agent's answer waits to ride on the next command
    expect(got).toEqual([]);
    await client.flush();
    expect(got).toEqual(["thanks"]);
    expect(card.endpoint.openSessions()).toEqual([]);
    expect(trace.some((l) => l.includes("opened by the card"))).toBe(true);
  });

  test("a chunk tampered in transit is reported to the caller", async () => {
    const { card, served } = echoCard({}, false);
    const inner = transportTo(card, false);
    let n = 0;
    const tampering: Transport = {
      extendedLength: false,
      async transmit(bytes) {
        // Replay the second EXCHANGE's frame as the third: a repeated chunk.
        if (bytes[1] === 0x3c && ++n === 3) bytes = replaySeq(bytes, 1);
        return inner.transmit(bytes);
      },
    };
    const client = await LinkClient.connect(tampering);
    const failure = client.exchange(enc("X".repeat(1000)));
    expect(failure).rejects.toBeInstanceOf(LinkError);
    await failure.catch((e: LinkError) => {
      expect(e.code).toBe(LINK_ERROR.SEQUENCE);
      expect(e.detectedBy).toBe("card");
    });
    expect(served).toEqual([]);
  });

  test("a card without the link is told apart", async () => {
    const none: Transport = { transmit: async () => ResponseApdu.of(0x6a82).toBytes() };
    await expect(LinkClient.connect(none)).rejects.toThrow("no web-card link application");
  });
});

function replaySeq(apdu: Uint8Array, seq: number): Uint8Array {
  const cmd = CommandApdu.parse(apdu);
  const frames = decodeFrames(cmd.data).map((f) => (f.kind === FRAME_KIND.DATA ? { ...f, seq } : f));
  return cmd.with({ data: encodeFrames(frames) }).toBytes();
}

describe("link: every status word and error of the spec", () => {
  const apdu = (cla: number, ins: number, p1: number, p2: number, bytes: Uint8Array = new Uint8Array(0), ne = 256) =>
    new CommandApdu({ cla, ins, p1, p2, data: bytes, ne });

  test.each([
    ["CLA 00 (not proprietary)", apdu(0x00, 0x3c, 0, 0), 0x6e00],
    ["INS other than EXCHANGE", apdu(0x80, 0x3e, 0, 0), 0x6d00],
    ["P1 02", apdu(0x80, 0x3c, 2, 0), 0x6a86],
    ["P2 01", apdu(0x80, 0x3c, 0, 1), 0x6a86],
    ["data over tag 81", apdu(0x80, 0x3c, 0, 0, encodeFrames([openFrame(1, 1, 1), data(1, 0, "x".repeat(250))])), 0x6700],
  ])("%s is refused with its status word, nothing applied", async (_name, command, sw) => {
    const { card, served } = echoCard({}, false);
    expect((await card.process(command)).sw).toBe(sw);
    expect(card.endpoint.openSessions()).toEqual([]);
    expect(served).toEqual([]);
  });

  test("EXCHANGE with P1 01 aborts every session", async () => {
    const { card } = echoCard();
    await card.process(exchange([openFrame(0x01, 1, 1), openFrame(0x02, 1, 1), data(0x01, 0, "GET")]));
    expect(card.endpoint.openSessions().length).toBe(2);
    expect((await card.process(new CommandApdu({ cla: 0x80, ins: 0x3c, p1: 1, p2: 0 }))).sw).toBe(0x9000);
    expect(card.endpoint.openSessions()).toEqual([]);
    // The ids are free again.
    const r = await card.process(exchange([openFrame(0x01, 1, 1), data(0x01, 0, "GET", FRAME_FLAG.FIN | FRAME_FLAG.CLOSE)]));
    expect(dec(decodeFrames(r.data)[0]!.payload)).toBe("echo:3:GET");
  });

  test("an OPEN beyond the session limit is TOO_MANY_SESSIONS; the open ones stay", async () => {
    const { card } = echoCard({ maxSessions: 2 });
    const r = await card.process(exchange([openFrame(0x01, 1, 1), openFrame(0x02, 1, 1), openFrame(0x03, 1, 1)]));
    const errors = decodeFrames(r.data);
    expect(errors.map((f) => [f.kind, f.session, f.payload[0]])).toEqual([[FRAME_KIND.ERROR, 0x03, LINK_ERROR.TOO_MANY_SESSIONS]]);
    expect(card.endpoint.openSessions().map((s) => s.id)).toEqual([0x01, 0x02]);
  });

  test("an OPEN of an id already open is SESSION_EXISTS and the existing session is kept", async () => {
    const { card, served } = echoCard();
    await card.process(exchange([openFrame(0x01, 1, 1), data(0x01, 0, "GET / HT")]));
    const r = await card.process(exchange([openFrame(0x01, 1, 1), data(0x01, 1, "TP/1.1", FRAME_FLAG.FIN | FRAME_FLAG.CLOSE)]));
    const frames = decodeFrames(r.data);
    expect(frames[0]!.kind).toBe(FRAME_KIND.ERROR);
    expect(frames[0]!.payload[0]).toBe(LINK_ERROR.SESSION_EXISTS);
    // The first session went on: its message was whole and served.
    expect(served).toEqual(["GET / HTTP/1.1"]);
    expect(frames[1]!.kind).toBe(FRAME_KIND.DATA);
  });

  test("DATA on a session never opened is UNKNOWN_SESSION", async () => {
    const { card, served } = echoCard();
    const r = await card.process(exchange([data(0x05, 0, "GET", FRAME_FLAG.FIN)]));
    const [f] = decodeFrames(r.data);
    expect([f!.kind, f!.session, f!.payload[0]]).toEqual([FRAME_KIND.ERROR, 0x05, LINK_ERROR.UNKNOWN_SESSION]);
    expect(served).toEqual([]);
  });

  test("DATA after the peer's CLOSE is a PROTOCOL error", async () => {
    const { card, served } = echoCard();
    // CLOSE without FIN keeps the session waiting for our answer; anything more from the terminal is a violation.
    const r = await card.process(exchange([openFrame(0x01, 1, 1), data(0x01, 0, "GET", FRAME_FLAG.CLOSE), data(0x01, 1, "more", FRAME_FLAG.FIN)]));
    const [f] = decodeFrames(r.data);
    expect([f!.kind, f!.payload[0]]).toEqual([FRAME_KIND.ERROR, LINK_ERROR.PROTOCOL]);
    expect(served).toEqual([]);
  });

  test("a session the card wants to open is signalled in SW2 (91 02) until its OPEN has left", async () => {
    const { card } = echoCard({}, false);
    card.openSession(CARD_AGENT.LOADER, TERMINAL_AGENT.OL, enc("POST /params HTTP/1.1\r\n\r\n"));
    // An answer with no room for the 8-byte OPEN frame: the wish stays in the status word.
    const tight = await card.process(new CommandApdu({ cla: 0x80, ins: 0x3c, p1: 0, p2: 0, ne: 7 }));
    expect(tight.sw).toBe(0x9103);
    expect(tight.data.length).toBe(0);
    const poll = await card.process(new CommandApdu({ cla: 0x80, ins: 0x3c, p1: 0, p2: 0, ne: 256 }));
    expect(poll.sw).toBe(0x9000);
    const frames = decodeFrames(poll.data);
    expect(frames.map((f) => [f.kind, f.session])).toEqual([[FRAME_KIND.OPEN, 0x81], [FRAME_KIND.DATA, 0x81]]);
    expect(toHex(frames[0]!.payload)).toBe("0201");
  });

  test("sequence numbers wrap after FFFF on a long session", async () => {
    const { card, served } = echoCard();
    await card.process(exchange([openFrame(0x01, 1, 1)]));
    // 65,536 empty chunks take the receiver's seq round to 0000 again.
    const chunks: Frame[] = [];
    for (let seq = 0; seq <= 0xffff; seq++) chunks.push(data(0x01, seq, ""));
    for (let i = 0; i < chunks.length; i += 8192) await card.process(exchange(chunks.slice(i, i + 8192)));
    const r = await card.process(exchange([data(0x01, 0, "GET", FRAME_FLAG.FIN | FRAME_FLAG.CLOSE)]));
    expect(decodeFrames(r.data)[0]!.kind).toBe(FRAME_KIND.DATA);
    expect(served).toEqual(["GET"]);
  });

  test("a terminal agent that fails gives its session up (ABORTED): the card drops it, the terminal's own request completes", async () => {
    const cardErrors: number[] = [];
    const events: string[] = [];
    let card!: CardLink;
    card = new CardLink({
      maxCommand: 255,
      maxResponse: 256,
      onEvent: (e) => void (e.type === "error" && cardErrors.push(e.code)),
      agents: [
        {
          id: CARD_AGENT.HTTP,
          name: "http",
          serve: () => {
            card.openSession(CARD_AGENT.LOADER, TERMINAL_AGENT.OL, enc("POST /params HTTP/1.1\r\n\r\n"), () => undefined);
            return enc("accepted");
          },
        },
        { id: CARD_AGENT.LOADER, name: "loader" },
      ],
    });
    const client = await LinkClient.connect(transportTo(card, false), {
      trace: (l) => events.push(l),
      agents: [{ id: TERMINAL_AGENT.OL, name: "ol", serve: () => { throw new Error("not JSON"); } }],
    });
    expect(dec(await client.exchange(enc("GET /loader")))).toBe("accepted");
    await client.flush();
    expect(cardErrors).toEqual([LINK_ERROR.ABORTED]);
    expect(card.endpoint.openSessions()).toEqual([]);
    expect(events.some((l) => l.includes("error 07") && l.includes("not JSON"))).toBe(true);
  });
});
