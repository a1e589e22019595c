/** The refusals of issue 6: each gives the right HTTP status (or link error) and leaves the card unchanged. */
import { describe, expect, test } from "bun:test";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { CommandApdu } from "../../src/stack/apdu.ts";
import { FRAME_KIND } from "../../src/stack/link/constants.ts";
import { decodeFrames, encodeFrames } from "../../src/stack/link/frames.ts";
import { LinkError } from "../../src/stack/link/link-error.ts";
import { SwError } from "../../src/stack/errors.ts";
import { installViaWeb } from "../../src/host/loader/via-web.ts";
import { installViaBridge } from "../../src/host/loader/via-bridge.ts";
import { WebLoadError } from "../../src/host/loader/loading-program.ts";
import { CardWeb, cardRequest } from "../../src/host/link/card-web.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { ALGTEST, capBytes, counting } from "./helpers.ts";

/** Run `run`, expect it to fail, and the card's state to be as before (after a power cycle when `unfinishedLoad`). */
async function refusedWith(card: ReturnType<typeof createWebCard>, run: () => Promise<unknown>, unfinishedLoad = false): Promise<unknown> {
  const before = card.stateDigest();
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  // A plain GP card keeps a refused load pending until the next power-on (GP 2.3.1 section 9.3.5), on the GP path too.
  if (unfinishedLoad) card.reset();
  expect(card.stateDigest()).toBe(before);
  return error;
}

describe("refusals through the card's web server", () => {
  test("no authentication: 401", async () => {
    const card = createWebCard();
    const e = await refusedWith(card, () => installViaWeb(inProcessTransport(card), capBytes(ALGTEST), {}, undefined, { secure: false }));
    expect(e).toBeInstanceOf(WebLoadError);
    expect((e as WebLoadError).status).toBe(401);
    expect((e as Error).message).toContain("authenticated secure channel");
  });

  test("a wrong nonce: 403", async () => {
    const card = createWebCard();
    const e = await refusedWith(card, () => installViaWeb(inProcessTransport(card), capBytes(ALGTEST), {}, undefined, { nonce: "00".repeat(16) }));
    expect((e as WebLoadError).status).toBe(403);
    expect((e as Error).message).toContain("nonce");
  });

  test("a reused nonce: 403 (spent by its first use, in the same link session), card unchanged", async () => {
    const card = createWebCard();
    // Re-SELECT forgets every nonce, so the replay must come in the same link session to test spending.
    const web = await CardWeb.open(inProcessTransport(card), { secure: { keys: defaultKeys("AES"), level: "mac" } });
    const page = await (await web.fetch(cardRequest("/loader", { headers: { accept: "text/html" } }))).text();
    const nonce = /name="nonce" value="([0-9A-F]{32})"/.exec(page)![1]!;
    const post = (cap: string) => {
      const form = new FormData();
      form.set("nonce", nonce);
      form.set("load-file", new Blob([capBytes(cap)]), cap);
      return web.fetch(cardRequest("/cgi-bin/load", { method: "POST", body: form, headers: { accept: "application/json" } }));
    };
    expect((await post("kaoh_helloworld.cap")).status).toBe(200);
    const before = card.stateDigest();
    const again = await post("gppro_Empty_0102030405_2.2.1.cap");
    expect(again.status).toBe(403);
    expect(((await again.json()) as { message: string }).message).toContain("nonce");
    expect(card.stateDigest()).toBe(before);
  });

  test("a missing import: 422 with the same line as the GP path", async () => {
    const card = createWebCard();
    const e = await refusedWith(card, () => installViaWeb(inProcessTransport(card), capBytes("pysim_test_javacard.cap")));
    expect((e as WebLoadError).status).toBe(422);
    expect((e as Error).message).toBe("LOAD refused with 6A80: the card lacks imported package A0000000090003FFFFFFFF8910710002 2.6");
  });

  test("a duplicate AID: 409", async () => {
    const card = createWebCard();
    await installViaWeb(inProcessTransport(card), capBytes("kaoh_helloworld.cap"));
    const e = await refusedWith(card, () => installViaWeb(inProcessTransport(card), capBytes("kaoh_helloworld.cap")));
    expect((e as WebLoadError).status).toBe(409);
    expect((e as Error).message).toContain("already on the card");
  });

  test("an instance AID already used: 409 and the package loaded on the way is removed", async () => {
    const card = createWebCard();
    await installViaWeb(inProcessTransport(card), capBytes("kaoh_helloworld.cap"));
    const e = await refusedWith(card, () =>
      installViaWeb(inProcessTransport(card), capBytes("gppro_Empty_0102030405_2.2.1.cap"), {
        applets: [Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)],
        instances: [Uint8Array.of(0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0x01, 0x01)],
      }),
    );
    expect((e as WebLoadError).status).toBe(409);
  });

  test("too big for the card's memory: 413", async () => {
    const card = createWebCard({ memoryBytes: 8_000 });
    const e = await refusedWith(card, () => installViaWeb(inProcessTransport(card), capBytes(ALGTEST)));
    expect((e as WebLoadError).status).toBe(413);
  });

  test("an out-of-order chunk: the card reports a sequence error, nothing is loaded", async () => {
    const card = createWebCard({ linkOptions: { extended: false } });
    let exchanges = 0;
    const t = counting(inProcessTransport(card, { extendedLength: false }), (bytes, _n) => {
      // Swap the sequence number of the 5th EXCHANGE (a chunk of the POST) with the next one's.
      if (bytes[1] === 0x3c && ++exchanges === 5) return reseq(bytes, +1);
      return bytes;
    });
    const e = await refusedWith(card, () => installViaWeb(t, capBytes(ALGTEST), {}, undefined, { secure: false, short: true }));
    expect(e).toBeInstanceOf(LinkError);
    expect((e as Error).message).toContain("out of sequence");
  });

  test("a tampered chunk inside the secure channel: the C-MAC fails, nothing is loaded", async () => {
    const card = createWebCard({ linkOptions: { extended: false } });
    let exchanges = 0;
    const t = counting(inProcessTransport(card, { extendedLength: false }), (bytes) => {
      if (bytes[1] === 0x3c && ++exchanges === 5) {
        const copy = bytes.slice();
        copy[40] = copy[40]! ^ 0x01;
        return copy;
      }
      return bytes;
    });
    const e = await refusedWith(card, () => installViaWeb(t, capBytes(ALGTEST), {}, undefined, { short: true }));
    expect(e).toBeInstanceOf(SwError);
    expect((e as SwError).sw).toBe(0x6982);
  });
});

describe("refusals through the bridge", () => {
  test("a wrong nonce: 403, card unchanged", async () => {
    const card = createWebCard({ link: false });
    const e = await refusedWith(card, () => installViaBridge(inProcessTransport(card), capBytes(ALGTEST), {}, undefined, { nonce: "AB".repeat(16) }));
    expect((e as WebLoadError).status).toBe(403);
  });

  test("a missing import: the same line as the GP path", async () => {
    const card = createWebCard({ link: false });
    const e = await refusedWith(card, () => installViaBridge(inProcessTransport(card), capBytes("pysim_test_javacard.cap")), true);
    expect((e as Error).message).toBe("LOAD refused with 6A80: the card lacks imported package A0000000090003FFFFFFFF8910710002 2.6");
  });
});

function reseq(apdu: Uint8Array, delta: number): Uint8Array {
  const cmd = CommandApdu.parse(apdu);
  const frames = decodeFrames(cmd.data).map((f) => (f.kind === FRAME_KIND.DATA ? { ...f, seq: f.seq + delta } : f));
  return cmd.with({ data: encodeFrames(frames) }).toBytes();
}
