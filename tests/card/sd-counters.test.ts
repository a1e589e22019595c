/**
 * Each security domain keeps its own secure channel counters: sessions with
 * a supplementary security domain advance its sequence counter, not the
 * ISD's, and wrong keys against it lock it, never the ISD (and the other way
 * round). The counters are not content: the state digest ignores them.
 */
import { describe, expect, test } from "bun:test";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { withIsoResponses } from "../../src/stack/transport/get-response.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { createDomain } from "../../src/host/gp/domains.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { ResponseApdu } from "../../src/stack/apdu.ts";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";

const ISD = fromHex("A000000151000000");
const SSD = fromHex("A00000015153504101");

/** GET DATA C1 of the SD `aid` (selected first): its sequence counter. */
async function sequence(t: Transport, aid: Uint8Array): Promise<string> {
  await t.transmit(fromHex(`00A40400${toHex(Uint8Array.of(aid.length))}${toHex(aid)}00`));
  const r = ResponseApdu.parse(await t.transmit(fromHex("80CA00C100")));
  expect(r.sw).toBe(0x9000);
  return toHex(r.data);
}

function setup() {
  const log: string[] = [];
  const card = createSimulatedCard({ maxAuthFailures: 3, log: (l) => log.push(l) });
  const t = withIsoResponses(inProcessTransport(card));
  return { card, log, t };
}

describe("per security domain", () => {
  test("sessions with the SSD advance its sequence counter only", async () => {
    const { t } = setup();
    const s = await openGpSession(t, { keys: defaultKeys("AES"), kdf: "none" });
    await createDomain(s, SSD);
    const isdBefore = await sequence(t, ISD);
    const ssdBefore = await sequence(t, SSD);
    for (let i = 0; i < 3; i++) await openGpSession(t, { keys: defaultKeys("AES"), kdf: "none", isd: SSD });
    expect(await sequence(t, ISD)).toBe(isdBefore);
    expect(await sequence(t, SSD)).not.toBe(ssdBefore);
    expect(ssdBefore).toBe("C103000000");
    expect(await sequence(t, SSD)).toBe("C103000003");
  });

  test("wrong keys lock the SSD they were tried on, not the ISD; the digest ignores the counters", async () => {
    const { card, log, t } = setup();
    const s = await openGpSession(t, { keys: defaultKeys("AES"), kdf: "none" });
    await createDomain(s, SSD);
    const digest = card.stateDigest();
    // EXTERNAL AUTHENTICATE with a wrong host cryptogram, sent by hand (webcard itself stops at a wrong card cryptogram).
    await t.transmit(fromHex(`00A4040009${toHex(SSD)}00`));
    for (let i = 0; i < 3; i++) {
      expect(ResponseApdu.parse(await t.transmit(fromHex("8050000008010203040506070800"))).sw).toBe(0x9000);
      expect(ResponseApdu.parse(await t.transmit(fromHex("848201001000000000000000000000000000000000")))).toMatchObject({ sw: 0x6300 });
    }
    expect(log.at(-1)).toContain("0 attempt(s) left before security domain A00000015153504101 locks");
    expect(ResponseApdu.parse(await t.transmit(fromHex("8050000008010203040506070800"))).sw).toBe(0x6983);
    expect(log.at(-1)).toContain("security domain A00000015153504101 is locked after 3 failed");
    // The ISD still opens.
    await openGpSession(t, { keys: defaultKeys("AES"), kdf: "none" });
    expect(card.stateDigest()).toBe(digest);
  });
});
