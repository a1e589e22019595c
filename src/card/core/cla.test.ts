import { test, expect } from "bun:test";
import { basicClass, channelOf, claProblem } from "./cla.ts";

test.each([
  [0x00, undefined],
  [0x80, undefined],
  [0x84, undefined],
  [0x04, undefined],
  [0x01, undefined], // logical channel 1 (whether it is open is the core's question)
  [0x87, undefined],
  [0x40, undefined], // further interindustry: channels 4-19
  [0xcf, undefined],
  [0xe3, undefined], // channel 7 with secure messaging
  [0x10, 0x6884], // chaining
  [0x50, 0x6884],
  [0x0c, 0x6882], // ISO secure messaging
  [0x20, 0x6e00],
  [0xa0, 0x6e00],
  [0xff, 0x6e00],
] as const)("CLA %d gives %p", (cla, sw) => {
  expect(claProblem(cla)).toBe(sw);
});

test.each([
  [0x00, 0, 0x00],
  [0x83, 3, 0x80],
  [0x86, 2, 0x84],
  [0x45, 9, 0x00],
  [0xc0, 4, 0x80],
  [0xef, 19, 0x84],
  [0x6f, 19, 0x04],
] as const)("CLA %d is channel %d, %d on the basic channel", (cla, channel, basic) => {
  expect(channelOf(cla)).toBe(channel);
  expect(basicClass(cla)).toBe(basic);
});
