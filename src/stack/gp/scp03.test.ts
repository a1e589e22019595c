import { describe, expect, test } from "bun:test";
import { concat, fromHex, toHex } from "../bytes.ts";
import { CommandApdu, ResponseApdu } from "../apdu.ts";
import { kcvHex } from "../crypto/kcv.ts";
import { SecurityError } from "../errors.ts";
import { defaultKeys, parseKeyOption } from "./keys.ts";
import { Scp03Session, scp03CardCryptogram, scp03HostCryptogram, scp03PseudoRandomChallenge, scp03SessionKeys } from "./scp03.ts";

const keys = defaultKeys("AES");

describe("SCP03 known answers", () => {
  test("session keys with context = KDD 00010203040506070809 (REFERENCE.md section 4)", () => {
    const s = scp03SessionKeys(keys, fromHex("00010203040506070809"));
    expect([s.enc, s.mac, s.rmac].map((k) => kcvHex(k, "AES"))).toEqual(["C25559", "0E12CC", "9ACB9C"]);
    expect(kcvHex(s.dek, "AES")).toBe("504A77"); // static DEK
  });
  test("AES-256 session keys are 32 bytes; cryptograms 8 bytes and distinct", () => {
    const k = parseKeyOption("40".repeat(32));
    const ctx = fromHex("0102030405060708A1A2A3A4A5A6A7A8");
    const s = scp03SessionKeys(k, ctx);
    expect(s.enc.length).toBe(32);
    expect(toHex(scp03CardCryptogram(s.mac, ctx))).not.toBe(toHex(scp03HostCryptogram(s.mac, ctx)));
    expect(scp03PseudoRandomChallenge(k.enc, 1, fromHex("A000000151000000")).length).toBe(8);
  });
});

describe("SCP03 session: host and card in step", () => {
  const pair = () => {
    const k = scp03SessionKeys(keys, fromHex("0102030405060708A1A2A3A4A5A6A7A8"));
    return { host: new Scp03Session(k, 0x70), card: new Scp03Session(k, 0x70) };
  };
  for (const level of [0x01, 0x03, 0x13, 0x33]) {
    test(`level ${level.toString(16).padStart(2, "0")}`, () => {
      const { host, card } = pair();
      const cmds = [
        new CommandApdu({ cla: 0x80, ins: 0xf2, p1: 0x80, p2: 0x02, data: fromHex("4F00"), ne: 256 }),
        new CommandApdu({ cla: 0x80, ins: 0xca, p1: 0x00, p2: 0x66, ne: 256 }),
        new CommandApdu({ cla: 0x80, ins: 0xe8, p1: 0x00, p2: 0x00, data: new Uint8Array(239).fill(9) }),
      ];
      for (const cmd of cmds) {
        const wire = host.wrapCommand(cmd, level);
        expect(wire.cla).toBe(0x84);
        const plain = card.unwrapCommand(CommandApdu.parse(wire.toBytes()), level);
        expect(toHex((plain as CommandApdu).toBytes())).toBe(toHex(cmd.toBytes()));
        const resp = card.wrapResponse(ResponseApdu.of(0x9000, fromHex("C0FFEE")), level);
        if (level & 0x20) expect(toHex(resp.data)).not.toContain("C0FFEE");
        expect(toHex(host.unwrapResponse(resp, level).data)).toBe("C0FFEE");
        // An error SW is answered bare, and accepted bare.
        const err = card.wrapResponse(ResponseApdu.of(0x6a88), level);
        expect(toHex(err.toBytes())).toBe("6A88");
      }
    });
  }
  test("a replayed or tampered command fails; a tampered R-MAC throws", () => {
    const { host, card } = pair();
    const wire = host.wrapCommand(new CommandApdu({ cla: 0x80, ins: 0xca, p1: 0, p2: 0x66 }), 0x13);
    const bad = wire.toBytes();
    bad[3]! ^= 1;
    expect(card.unwrapCommand(CommandApdu.parse(bad), 0x13)).toBe(0x6982);
    expect(card.unwrapCommand(wire, 0x13)).toBeInstanceOf(CommandApdu);
    expect(card.unwrapCommand(wire, 0x13)).toBe(0x6982);
    const resp = card.wrapResponse(ResponseApdu.of(0x9000, fromHex("01")), 0x13);
    expect(() => host.unwrapResponse(new ResponseApdu(concat(resp.data.subarray(0, 1), new Uint8Array(8)), 0x9000), 0x13)).toThrow(SecurityError);
  });
});
