import { test, expect } from "bun:test";
import { cardTransitionAllowed } from "./set-status.ts";

test.each([
  [0x01, 0x07, true],
  [0x01, 0x0f, true],
  [0x07, 0x0f, true],
  [0x0f, 0x07, false], // no way back (GP 2.3.1 section 5.1.1)
  [0x0f, 0x7f, true],
  [0x7f, 0x0f, true],
  [0x07, 0x7f, false], // only a SECURED card locks
  [0x7f, 0xff, true],
  [0xff, 0x0f, false], // terminated for good
] as const)("card %d -> %d allowed: %p", (from, to, ok) => {
  expect(cardTransitionAllowed(from, to)).toBe(ok);
});
