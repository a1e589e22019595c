import { expect, test } from "bun:test";
import { fromHex } from "../stack/bytes.ts";
import { parseCardResources } from "./card-resources.ts";

test("FF21 gives free non-volatile and volatile memory and the installed count", () => {
  expect(parseCardResources(fromHex("FF211081020000820400010000830400001000"))).toEqual([
    { label: "Free non-volatile memory", value: "65,536 bytes" },
    { label: "Free volatile memory", value: "4,096 bytes" },
    { label: "Installed applications", value: "0" },
  ]);
});

test("the value without its FF21 header reads the same", () => {
  expect(parseCardResources(fromHex("820400010000"))).toEqual([{ label: "Free non-volatile memory", value: "65,536 bytes" }]);
});
