import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "../bytes.ts";
import { FormatError } from "../errors.ts";
import { CARD_AGENT, FRAME_KIND, LINK_AID } from "./constants.ts";
import { decodeFrames, encodeFrames, errorFrame, openFrame } from "./frames.ts";
import { decodeLinkInfo, encodeLinkInfo } from "./link-info.ts";

describe("frames", () => {
  test("encode draws the documented layout", () => {
    const bytes = encodeFrames([
      openFrame(0x01, 0x01, 0x01),
      { kind: FRAME_KIND.DATA, flags: 0x3, session: 0x01, seq: 0x0102, payload: fromHex("4142") },
    ]);
    expect(toHex(bytes)).toBe("100100000002" + "0101" + "230101020002" + "4142");
  });

  test("decode gives back what encode took", () => {
    const frames = [openFrame(0x81, 2, 1), errorFrame(0x05, 1, 7, "late")];
    const back = decodeFrames(encodeFrames(frames));
    expect(back.map((f) => [f.kind, f.session, f.seq, toHex(f.payload)])).toEqual([
      [1, 0x81, 0, "0201"],
      [3, 0x05, 7, "01" + toHex(new TextEncoder().encode("late"))],
    ]);
  });

  test.each([
    ["truncated header", "2001000000"],
    ["length beyond the data", "20010000000541"],
    ["unknown kind", "700100000000"],
    ["session 00", "200000000000"],
  ])("decode rejects %s", (_name, hex) => {
    expect(() => decodeFrames(fromHex(hex))).toThrow(FormatError);
  });

  test("an empty data field is no frames (a poll)", () => {
    expect(decodeFrames(new Uint8Array(0))).toEqual([]);
  });
});

describe("SELECT answer", () => {
  test("round trip with agents", () => {
    const bytes = encodeLinkInfo({
      version: 1, maxCommand: 65_535, maxResponse: 65_536, maxMessage: 131_072, maxSessions: 4,
      agents: [{ id: CARD_AGENT.HTTP, name: "http" }, { id: CARD_AGENT.LOADER, name: "loader" }],
    });
    const info = decodeLinkInfo(bytes);
    expect(info.maxCommand).toBe(65_535);
    expect(info.maxResponse).toBe(65_536);
    expect(info.maxMessage).toBe(131_072);
    expect(info.agents).toEqual([{ id: 1, name: "http" }, { id: 2, name: "loader" }]);
    expect(toHex(info.aid)).toBe(toHex(LINK_AID));
    expect(toHex(bytes).startsWith("6F")).toBe(true);
  });

  test("a GlobalPlatform FCI is not a link answer", () => {
    expect(() => decodeLinkInfo(fromHex("6F108408A000000151000000A5049F6501FF"))).toThrow(FormatError);
  });
});
