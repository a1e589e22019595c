import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "../bytes.ts";
import { CommandApdu, ResponseApdu } from "../apdu.ts";
import { kcvHex } from "../crypto/kcv.ts";
import { SecurityError } from "../errors.ts";
import { defaultKeys } from "./keys.ts";
import {
  Scp02Session,
  scp02CardCryptogram,
  scp02HostCryptogram,
  scp02PseudoRandomChallenge,
  scp02SessionKeys,
} from "./scp02.ts";

const keys = defaultKeys("3DES");
const SEQ0 = fromHex("0000");

describe("SCP02 known answers", () => {
  test("session keys at sequence 0000 (REFERENCE.md section 4)", () => {
    const s = scp02SessionKeys(keys, SEQ0);
    expect([s.enc, s.cmac, s.dek, s.rmac].map((k) => kcvHex(k, "3DES"))).toEqual(["F2DCDD", "5FCC69", "85272E", "9F749A"]);
  });
  test("cryptograms differ by order of inputs and depend on every input", () => {
    const s = scp02SessionKeys(keys, fromHex("0001"));
    const host = fromHex("0102030405060708");
    const card = fromHex("A1A2A3A4A5A6");
    const cc = scp02CardCryptogram(s.enc, host, fromHex("0001"), card);
    const hc = scp02HostCryptogram(s.enc, fromHex("0001"), card, host);
    expect(cc.length).toBe(8);
    expect(toHex(cc)).not.toBe(toHex(hc));
    expect(toHex(scp02CardCryptogram(s.enc, host, fromHex("0002"), card))).not.toBe(toHex(cc));
  });
  test("pseudo-random challenge is 6 bytes and deterministic", () => {
    const s = scp02SessionKeys(keys, fromHex("0005"));
    const aid = fromHex("A000000151000000");
    expect(toHex(scp02PseudoRandomChallenge(s.cmac, aid))).toBe(toHex(scp02PseudoRandomChallenge(s.cmac, aid)));
    expect(scp02PseudoRandomChallenge(s.cmac, aid).length).toBe(6);
  });
});

describe("SCP02 session: host and card in step", () => {
  const pair = (i: number) => {
    const k = scp02SessionKeys(keys, fromHex("0007"));
    return { host: new Scp02Session(k, i), card: new Scp02Session(k, i) };
  };
  for (const i of [0x15, 0x55]) {
    for (const level of [0x01, 0x03, 0x13]) {
      test(`i=${i.toString(16)} level ${level.toString(16).padStart(2, "0")}`, () => {
        const { host, card } = pair(i);
        const cmds = [
          new CommandApdu({ cla: 0x80, ins: 0xf2, p1: 0x80, p2: 0x02, data: fromHex("4F00"), ne: 256 }),
          new CommandApdu({ cla: 0x80, ins: 0xca, p1: 0x00, p2: 0x66, ne: 256 }),
          new CommandApdu({ cla: 0x80, ins: 0xe6, p1: 0x02, p2: 0x00, data: new Uint8Array(200).fill(7) }),
        ];
        for (const cmd of cmds) {
          const wire = host.wrapCommand(cmd, level);
          expect(wire.cla).toBe(0x84);
          if (level & 2 && cmd.data.length > 0) expect(toHex(wire.data)).not.toContain(toHex(cmd.data));
          const plain = card.unwrapCommand(CommandApdu.parse(wire.toBytes()), level);
          expect(plain).toBeInstanceOf(CommandApdu);
          expect(toHex((plain as CommandApdu).toBytes())).toBe(toHex(cmd.toBytes()));
          const resp = card.wrapResponse(ResponseApdu.of(0x9000, fromHex("C0FFEE")), level);
          expect(resp.data.length).toBe(level & 0x10 ? 11 : 3);
          expect(toHex(host.unwrapResponse(resp, level).data)).toBe("C0FFEE");
        }
      });
    }
  }
  test("a replayed command fails its C-MAC", () => {
    const { host, card } = pair(0x55);
    const wire = host.wrapCommand(new CommandApdu({ cla: 0x80, ins: 0xca, p1: 0, p2: 0x66 }), 1);
    expect(card.unwrapCommand(wire, 1)).toBeInstanceOf(CommandApdu);
    expect(card.unwrapCommand(wire, 1)).toBe(0x6982);
  });
  test("a tampered R-MAC throws SecurityError", () => {
    const { host, card } = pair(0x15);
    card.unwrapCommand(host.wrapCommand(new CommandApdu({ cla: 0x80, ins: 0xca, p1: 0, p2: 0x66 }), 0x13), 0x13);
    const resp = card.wrapResponse(ResponseApdu.of(0x9000, fromHex("01")), 0x13);
    const bad = resp.data.slice();
    bad[1]! ^= 1;
    expect(() => host.unwrapResponse(new ResponseApdu(bad, 0x9000), 0x13)).toThrow(SecurityError);
  });
});
