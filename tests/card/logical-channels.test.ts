/**
 * Logical channels on the simulated card (ISO/IEC 7816-4 sections 5.4.1 and
 * 7.1.2, GP 2.3.1 section 11.1.4): MANAGE CHANNEL open and close with their
 * refusals, a selected application per channel, a secure channel session per
 * channel, class bytes of channels 4-19, and the host's channel wrapper.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webcard } from "../harness/cli.ts";
import { toHex } from "../../src/stack/bytes.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { openSecureChannel } from "../../src/stack/gp/secure-channel.ts";
import { onLogicalChannel, openLogicalChannel } from "../../src/stack/transport/logical-channel.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { fixture } from "./fixtures.ts";
import { apdu, installSequence, swOf } from "./helpers.ts";
import { CHANNEL_ISOLATION, channelIsolation } from "./channel-checks.ts";

const ISD = "A000000151000000";

function openCard(scp: 2 | 3 = 3) {
  const log: string[] = [];
  const card = createSimulatedCard({ scp, log: (l) => log.push(l) });
  card.powerOn();
  return { card, log };
}

test("MANAGE CHANNEL: the card assigns the lowest free number, opens a given one, closes, and refuses what ISO 7816-4 and GP refuse", async () => {
  const { card, log } = openCard();
  expect(await apdu(card, "0070000001")).toBe("019000"); // assigned: 1
  expect(await apdu(card, "0070000500")).toBe("9000"); // asked for: 5
  expect(await apdu(card, "0070000001")).toBe("029000"); // next free: 2
  expect(await apdu(card, "0070000500")).toBe("6A81"); // 5 is open
  expect(await apdu(card, "0070001400")).toBe("6A86"); // 20 is no channel
  expect(await apdu(card, "0070400000")).toBe("6A86"); // P1 neither open nor close
  expect(await apdu(card, "0070800000")).toBe("6A81"); // the basic channel never closes
  expect(await apdu(card, "0370800300")).toBe("6881"); // sent on channel 3, which is not open
  expect(await apdu(card, "0170800500")).toBe("9000"); // closed from channel 1
  expect(await apdu(card, "0070800500")).toBe("6881"); // no longer open
  expect(await apdu(card, "4170800000")).toBe("6881"); // channel 5 (CLA 41): closed
  expect(await apdu(card, "0270800000")).toBe("9000"); // P2 00: the channel of the CLA
  expect(await apdu(card, "02F2800002")).toBe("6881");
  expect(log.some((l) => l.includes("MANAGE CHANNEL: 6A81") && l.includes("already open"))).toBe(true);
  // Every channel but the basic one: 19 open, the 20th has no room.
  for (let n = 2; n <= 19; n++) expect(swOf(await apdu(card, "0070000001"))).toBe("9000");
  expect(await apdu(card, "0070000001")).toBe("6A81");
  // A reset leaves only the basic channel open.
  card.reset();
  expect(await apdu(card, "01F2800002")).toBe("6881");
  expect(await apdu(card, "0070000001")).toBe("019000");
});

test("a new channel from the basic one selects the default application; each channel keeps its own selection", async () => {
  const { card } = openCard();
  await apdu(card, `00A40400${"08"}${ISD}`);
  const cap = fixture("kaoh_helloworld.cap");
  const t = inProcessTransport(card);
  const sc = await openSecureChannel(t, { keys: defaultKeys("AES"), scp: 3, level: "mac" });
  for (const c of installSequence(cap, sc.maxCommandData)) expect(swOf(toHex(await sc.transmit(c)))).toBe("9000");
  const applet = toHex(cap.applets[0]!.aid);
  expect(await apdu(card, "0070000001")).toBe("019000");
  // Channel 1 has the ISD (the default application): its GET DATA answers there.
  expect(swOf(await apdu(card, "81CA006600"))).toBe("9000");
  // The applet on channel 0; the ISD stays selected on channel 1.
  expect(swOf(await apdu(card, `00A40400${toHex(Uint8Array.of(applet.length / 2))}${applet}`))).toBe("9000");
  expect(swOf(await apdu(card, "81CA006600"))).toBe("9000");
  // A Java Card applet is selected on one channel at a time (not MultiSelectable): 6985 on another.
  expect(await apdu(card, `01A40400${toHex(Uint8Array.of(applet.length / 2))}${applet}`)).toBe("6985");
  // SELECT on a closed channel opens it (channel 3).
  expect(swOf(await apdu(card, `03A40400${"08"}${ISD}`))).toBe("9000");
  expect(swOf(await apdu(card, "83CA006600"))).toBe("9000");
  // MANAGE CHANNEL from channel 0 while the applet is selected there: the default (ISD) on the new one.
  expect(await apdu(card, "0070000001")).toBe("029000");
  expect(swOf(await apdu(card, "82CA006600"))).toBe("9000");
});

for (const scp of [2, 3] as const) {
  test(`SCP0${scp}: a secure channel on one logical channel does not authenticate another; channels 4-19 use C0-CF / E0-EF`, async () => {
    const { card } = openCard(scp);
    expect(await channelIsolation(inProcessTransport(card), scp)).toEqual(CHANNEL_ISOLATION);
  });
}

test("the host's wrapper leaves non-ISO class bytes alone and refuses a channel number out of range", async () => {
  const sent: number[] = [];
  const inner = { transmit: async (c: Uint8Array) => (sent.push(c[0]!), Uint8Array.of(0x90, 0)) };
  const t = onLogicalChannel(inner, 3);
  for (const cla of [0x00, 0x80, 0x84, 0x10, 0xa0, 0xff]) await t.transmit(Uint8Array.of(cla, 0xca, 0, 0x66, 0));
  expect(sent).toEqual([0x03, 0x83, 0x87, 0x13, 0xa0, 0xff]);
  expect(() => onLogicalChannel(inner, 20)).toThrow("Logical channel 20");
  const { card } = openCard();
  const basic = inProcessTransport(card);
  await openLogicalChannel(basic, 4);
  const refused = await openLogicalChannel(basic, 4).then(() => "opened twice", (e: Error) => e.message);
  expect(refused).toBe("MANAGE CHANNEL open of channel 4 failed with 6A81 (Function not supported): that channel is already open, or the card has no free channel: choose another --channel number");
});


test("webcard --channel: works on the channel given, and a bad number is one line with exit 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "webcard-channel-"));
  try {
    const state = join(dir, "card.sqlite");
    const r = webcard(["apdu", "--sim", state, "--channel", "5", "--trace", "80CA006600"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("=> 00700005");
    expect(r.stderr).toContain("=> C1CA006600"); // channel 5: 80 in the further interindustry class, C0 + 1
    expect(r.stderr).toContain("=> 41708005");
    const list = webcard(["list", "--sim", state, "--channel", "19", "--json"]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).target).toEndWith("logical channel 19");
    for (const bad of ["0", "20", "two"]) {
      const b = webcard(["list", "--sim", state, "--channel", bad]);
      expect({ code: b.code, stderr: b.stderr }).toEqual({ code: 2, stderr: `webcard: --channel must be a number from 1 to 19, got '${bad}'\n` });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
