/** Real-card timing: the cost of each APDU from the profile's figures and the ATR's bit rate (no clock is read). */
import { describe, expect, test } from "bun:test";
import { fromHex } from "../../stack/bytes.ts";
import { errorLine } from "../../stack/errors.ts";
import { profileNamed } from "./catalogue.ts";
import { apduMs, timingFor, wireOf, withTiming } from "./timing.ts";
import { createSimulatedCard } from "../sim.ts";

describe("the wire", () => {
  test.each([
    // TA1 13: Fi 372, Di 4 -> 3.5712 MHz * 4 / 372 = 38400 bit/s, T=1 11 etu a byte
    ["jcop242", 38400, 11],
    // TA1 18: Fi 372, Di 12 -> 115200 bit/s
    ["jcop4", 115200, 11],
    // No TA1: Fi 372, Di 1 -> 9600 bit/s, T=0 12 etu a byte
    ["jcop4-t0", 9600, 12],
    // TA1 96: Fi 512, Di 32 -> 223200 bit/s
    ["sysmo-usim", 223200, 12],
    // TA1 97: Fi 512, Di 64 -> 446400 bit/s
    ["cosmo-v8", 446400, 11],
    // Contactless, the profile's 106 kbit/s
    ["nokia-6131", 106000, 10],
  ] as const)("%s: %d bit/s, %d bits a byte", (name, bitRate, bitsPerByte) => {
    expect(wireOf(profileNamed(name))).toEqual({ bitRate, bitsPerByte });
  });
});

describe("the cost of an APDU", () => {
  const jcop242 = timingFor("jcop242", profileNamed("jcop242"), profileNamed);

  test("a LOAD of 255 data bytes on jcop242: 40 ms, 262 bytes on the wire, 255 bytes written", () => {
    const load = new Uint8Array(5 + 255);
    load.set([0x80, 0xe8, 0x00, 0x00, 0xff]);
    const response = fromHex("009000");
    const wire = ((260 + 3) * 11 * 1000) / 38400;
    expect(apduMs(jcop242, load, response)).toBeCloseTo(40 + wire + 255 * 0.29, 9);
  });

  test("INITIALIZE UPDATE takes its own figure (byIns 50: 50 ms)", () => {
    expect(apduMs(jcop242, fromHex("80500000081122334455667788"), new Uint8Array(30))).toBeCloseTo(50 + ((13 + 30) * 11 * 1000) / 38400, 9);
  });

  test("--timing MS: that fixed cost and the card's own wire, nothing for LOAD writes", () => {
    const t = timingFor("20", profileNamed("jcop4-t0"), profileNamed);
    expect(t).toMatchObject({ apduMs: 20, loadByteMs: 0, bitRate: 9600, bitsPerByte: 12 });
    expect(apduMs(t, fromHex("80E8000001AA"), fromHex("009000"))).toBeCloseTo(20 + (9 * 12 * 1000) / 9600, 9);
  });

  test("an unknown profile name, and too long a time, get one line", () => {
    const line = (choice: string) => {
      try {
        timingFor(choice, profileNamed("gp23"), profileNamed);
      } catch (error) {
        return errorLine(error);
      }
    };
    expect(line("jcop9")).toStartWith("Unknown card profile 'jcop9': use one of gp23,");
    expect(line("90000")).toBe("--timing 90000: at most 60000 ms an APDU");
  });
});

test("withTiming waits what apduMs says, per command, after the card answered", async () => {
  const card = createSimulatedCard({ profile: profileNamed("jcop242") });
  const waited: number[] = [];
  const t = timingFor("jcop242", card.profile, profileNamed);
  const timed = withTiming(card, t, async (ms) => void waited.push(ms));
  timed.powerOn();
  const select = fromHex("00A4040000");
  const answer = await timed.process(select);
  expect(waited).toEqual([apduMs(t, select, answer)]);
  card.close();
});

test("a card made with timing carries it, and without it none", () => {
  const timed = createSimulatedCard({ profile: profileNamed("jcop4"), timing: "jcop4" });
  expect(timed.timing).toMatchObject({ apduMs: 20, bitRate: 115200 });
  timed.close();
  const plain = createSimulatedCard();
  expect(plain.timing).toBeUndefined();
  plain.close();
});
