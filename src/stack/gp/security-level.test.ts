import { describe, expect, test } from "bun:test";
import { commandRoom, describeLevel, LEVEL_BYTE, responseRoom, SECURITY_LEVELS, wrappedLength } from "./security-level.ts";

describe("room under secure messaging", () => {
  test.each([
    [255, "clear", 16, 255],
    [255, "mac", 16, 247],
    [255, "enc", 16, 239],
    [255, "enc", 8, 239],
    [255, "rmac", 16, 239],
    [128, "mac", 16, 120],
    [200, "enc", 16, 191],
    [65_535, "mac", 16, 65_527],
    [65_535, "renc", 16, 65_519],
  ] as const)("%i bytes at %s (block %i) leave %i for the plain command data", (limit, level, block, room) => {
    expect(commandRoom(limit, level, block)).toBe(room);
    // The room is exact: it fits, one byte more does not.
    expect(wrappedLength(room, level, block)).toBeLessThanOrEqual(limit);
    if (level !== "clear") expect(wrappedLength(room + 1, level, block)).toBeGreaterThan(limit);
  });

  test("answers: R-MAC takes 8 bytes, R-ENC pads to whole blocks", () => {
    expect(responseRoom(256, LEVEL_BYTE.enc)).toBe(256);
    expect(responseRoom(256, LEVEL_BYTE.rmac)).toBe(248);
    expect(responseRoom(256, LEVEL_BYTE.renc)).toBe(239);
  });

  test("wrapping: C-DEC pads with at least one byte, C-MAC adds 8", () => {
    expect(wrappedLength(0, "enc", 16)).toBe(8);
    expect(wrappedLength(16, "enc", 16)).toBe(40);
    expect(wrappedLength(15, "enc", 8)).toBe(24);
    expect(wrappedLength(100, "clear")).toBe(100);
  });
});

test("S16 mode (SCP03, SCP11): 16-byte MACs leave 16 bytes less room", () => {
  // 255 - 16 = 239, whole AES blocks less the one padding byte: 223; 224 would need 240 + 16 = 256.
  expect(commandRoom(255, 0x33, 16, 16)).toBe(223);
  expect(wrappedLength(223, 0x33, 16, 16)).toBe(240);
  expect(wrappedLength(224, 0x33, 16, 16)).toBe(256);
  expect(commandRoom(255, 0x11, 16, 16)).toBe(239);
  expect(responseRoom(256, 0x33, 16, 16)).toBe(239); // 240 padded + 16 = 256
});

test("the named levels and their bytes (GP 2.3.1 E.5.2.1, amendment D 7.1.2.1)", () => {
  expect(SECURITY_LEVELS).toEqual(["clear", "mac", "enc", "rmac", "renc"]);
  expect(describeLevel(LEVEL_BYTE.renc)).toBe("33 (C-DEC and C-MAC and R-ENC and R-MAC)");
  expect(describeLevel(0)).toBe("00 (none)");
});
