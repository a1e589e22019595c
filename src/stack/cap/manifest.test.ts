import { test, expect } from "bun:test";
import { appletNames, manifestAid, parseManifest } from "./manifest.ts";

test("applet names come from Java-Card-Applet-n-AID/-Name, with continuation lines joined", () => {
  const text = [
    "Manifest-Version: 1.0",
    "",
    "Name: a/b",
    "Java-Card-Applet-1-Name: Hello",
    "Java-Card-Applet-1-AID: 0xa0:0x00:0x00:0x00:0x01:0x02:0x03:0x04:0x05:0x06:0x07:0x08:0x09:0",
    " x0a:0x0b",
    "Java-Card-Applet-2-AID: 0x01:0x02:0x03:0x04:0x05",
  ].join("\r\n");
  const names = appletNames(parseManifest(text));
  expect([...names]).toEqual([["A00000000102030405060708090A0B", "Hello"]]);
});

test("manifest AIDs: 0x-prefixed bytes separated by colons", () => {
  expect(manifestAid("0x01:0x2:0xff")).toBe("0102FF");
  expect(manifestAid("//aid/0102")).toBeUndefined();
});
