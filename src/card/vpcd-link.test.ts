import { test, expect } from "bun:test";
import { attachToVpcd, answerVpcd, isVpcdControl, vpcdFrame, VpcdFramer } from "./vpcd-link.ts";
import { createWebCard } from "./link/with-link.ts";
import type { VirtualCard } from "./virtual-card.ts";

function card(log: string[]): VirtualCard {
  return {
    atr: () => new Uint8Array([0x3b, 0x80, 0x80, 0x01, 0x01]),
    powerOn: () => void log.push("on"),
    powerOff: () => void log.push("off"),
    reset: () => void log.push("reset"),
    process: (c) => (c[1] === 0xee ? Promise.reject(new Error("boom")) : new Uint8Array([...c.subarray(0, 2), 0x90, 0x00])),
  };
}

test("the framer joins split messages and splits joined ones", () => {
  const f = new VpcdFramer();
  expect(f.push(new Uint8Array([0x00]))).toEqual([]);
  expect(f.push(new Uint8Array([0x01, 0x04, 0x00, 0x02, 0xaa]))).toEqual([new Uint8Array([0x04])]);
  expect(f.push(new Uint8Array([0xbb, 0x00, 0x01, 0x01]))).toEqual([new Uint8Array([0xaa, 0xbb]), new Uint8Array([0x01])]);
  expect(vpcdFrame(new Uint8Array(300)).subarray(0, 2)).toEqual(new Uint8Array([0x01, 0x2c]));
  expect(() => vpcdFrame(new Uint8Array(65_536))).toThrow(RangeError);
});

test("control codes drive the card; only GET ATR is answered", async () => {
  const log: string[] = [];
  const c = card(log);
  expect(await answerVpcd(c, new Uint8Array([0x01]))).toBeUndefined();
  expect(await answerVpcd(c, new Uint8Array([0x02]))).toBeUndefined();
  expect(await answerVpcd(c, new Uint8Array([0x00]))).toBeUndefined();
  expect(await answerVpcd(c, new Uint8Array([0x04]))).toEqual(c.atr());
  expect(await answerVpcd(c, new Uint8Array([0x00, 0xa4, 0x04, 0x00]))).toEqual(new Uint8Array([0x00, 0xa4, 0x90, 0x00]));
  expect(log).toEqual(["on", "reset", "off"]);
});

test("only 00, 01, 02 and 04 are control codes: every other 1-byte message is an APDU and the card answers 6700", async () => {
  const real = createWebCard();
  try {
    real.powerOn();
    const answers = new Map<string, number>();
    for (let b = 0; b < 256; b++) {
      const message = Uint8Array.of(b);
      const answer = await answerVpcd(real, message);
      const key = answer === undefined ? "none" : Buffer.from(answer).toString("hex");
      answers.set(key, (answers.get(key) ?? 0) + 1);
      expect({ b, control: isVpcdControl(message) }).toEqual({ b, control: b <= 2 || b === 4 });
      if (!isVpcdControl(message)) expect({ b, answer }).toEqual({ b, answer: Uint8Array.of(0x67, 0x00) });
    }
    expect(Object.fromEntries(answers)).toEqual({ none: 3, [Buffer.from(real.atr()).toString("hex")]: 1, "6700": 252 });
    for (const m of [new Uint8Array(0), Uint8Array.of(0, 0), Uint8Array.of(0, 0xa4, 4)]) expect(await answerVpcd(real, m)).toEqual(Uint8Array.of(0x67, 0x00));
  } finally {
    real.close();
  }
});

/** A stand-in for vpcd: a TCP server that sends messages and collects replies. */
function fakeVpcd() {
  const replies: Uint8Array[] = [];
  const framer = new VpcdFramer();
  let client: { write(b: Uint8Array): number; end(): void } | undefined;
  let connections = 0;
  const server = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s) {
        client = s;
        connections++;
      },
      data(_s, d) {
        replies.push(...framer.push(d));
      },
    },
  });
  return {
    port: server.port,
    replies,
    connections: () => connections,
    send: (payload: number[]) => client!.write(vpcdFrame(new Uint8Array(payload))),
    drop: () => client?.end(),
    stop: () => server.stop(true),
  };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await Bun.sleep(10);
}

test("attachToVpcd answers vpcd, in order, reports card errors with 6F00, and reconnects", async () => {
  const vpcd = fakeVpcd();
  const log: string[] = [];
  const errors: string[] = [];
  const link = attachToVpcd(card(log), { port: vpcd.port, onError: (e) => errors.push(e.message) });
  await link.connected;
  await until(() => vpcd.connections() === 1);
  vpcd.send([0x01]);
  vpcd.send([0x04]);
  vpcd.send([0x80, 0x10, 0x00, 0x00]);
  vpcd.send([0x80, 0xee, 0x00, 0x00]);
  await until(() => vpcd.replies.length === 3);
  expect(vpcd.replies).toEqual([new Uint8Array([0x3b, 0x80, 0x80, 0x01, 0x01]), new Uint8Array([0x80, 0x10, 0x90, 0x00]), new Uint8Array([0x6f, 0x00])]);
  expect(errors).toEqual(["boom"]);

  vpcd.drop();
  await until(() => vpcd.connections() === 2);
  expect(vpcd.connections()).toBe(2);
  expect(log).toEqual(["on", "off"]);
  await link.close();
  vpcd.stop();
});

test("without reconnect, an unreachable vpcd rejects `connected`", async () => {
  const vpcd = fakeVpcd();
  const port = vpcd.port;
  vpcd.stop();
  const link = attachToVpcd(card([]), { port, reconnect: false });
  await expect(link.connected).rejects.toThrow(`Cannot reach vpcd at 127.0.0.1:${port}`);
  await link.close();
});
