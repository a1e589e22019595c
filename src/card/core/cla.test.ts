import { test, expect } from "bun:test";
import { claProblem } from "./cla.ts";

test.each([
  [0x00, undefined],
  [0x80, undefined],
  [0x84, undefined],
  [0x04, undefined],
  [0x01, 0x6881], // logical channel 1
  [0x83, 0x6881],
  [0x40, 0x6881], // further interindustry: channels 4-19
  [0x10, 0x6884], // chaining
  [0x0c, 0x6882], // ISO secure messaging
  [0x20, 0x6e00],
  [0xa0, 0x6e00],
  [0xff, 0x6e00],
] as const)("CLA %d gives %p", (cla, sw) => {
  expect(claProblem(cla)).toBe(sw);
});
