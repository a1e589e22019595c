import { test, expect } from "bun:test";
import { scriptedTransport } from "./scripted.ts";
import { withGetResponse, withLeCorrection, withIsoResponses } from "./get-response.ts";
import { withTrace } from "./trace.ts";
import { fromHex, toHex } from "../bytes.ts";

test("61xx is followed by GET RESPONSE and the data joined", async () => {
  const t = scriptedTransport([
    { command: "80CA9F7F00", response: "01026104" },
    { command: "00C0000004", response: "030405066102" },
    { command: "00C0000002", response: "07089000" },
  ]);
  const r = await withGetResponse(t).transmit(fromHex("80CA9F7F00"));
  expect(toHex(r)).toBe("01020304050607089000");
  expect(t.remaining()).toBe(0);
});

test("GET RESPONSE keeps the logical channel bits of CLA", async () => {
  const t = scriptedTransport([
    { command: "01CA9F7F00", response: "6101" },
    { command: "01C0000001", response: "AA9000" },
  ]);
  expect(toHex(await withGetResponse(t).transmit(fromHex("01CA9F7F00")))).toBe("AA9000");
});

test("an endless 61xx stops at the bound with a clear error", async () => {
  const script = [{ command: "00B0000000", response: "6101" }];
  for (let i = 0; i < 4; i++) script.push({ command: "00C0000001", response: "AA6101" });
  const t = scriptedTransport(script);
  await expect(withGetResponse(t, { maxFetches: 3 }).transmit(fromHex("00B0000000"))).rejects.toThrow(
    "Card kept answering 61xx after 3 GET RESPONSE commands",
  );
});

test("6Cxx resends with the right Le, once", async () => {
  const t = scriptedTransport([
    { command: "00B0000000", response: "6C10" },
    { command: "00B0000010", response: "00112233445566778899AABBCCDDEEFF9000" },
  ]);
  const r = await withLeCorrection(t).transmit(fromHex("00B0000000"));
  expect(toHex(r)).toBe("00112233445566778899AABBCCDDEEFF9000");
});

test("6Cxx that repeats is returned after one retry, not looped", async () => {
  const t = scriptedTransport([
    { command: "00B0000000", response: "6C10" },
    { command: "00B0000010", response: "6C11" },
  ]);
  expect(toHex(await withLeCorrection(t).transmit(fromHex("00B0000000")))).toBe("6C11");
});

test("6Cxx on a case 4 command fixes the trailing Le", async () => {
  const t = scriptedTransport([
    { command: "80CA000001AA00", response: "6C02" },
    { command: "80CA000001AA02", response: "01029000" },
  ]);
  expect(toHex(await withIsoResponses(t).transmit(fromHex("80CA000001AA00")))).toBe("01029000");
});

test("trace reports both directions with the SW meaning", async () => {
  const lines: string[] = [];
  let clock = 0;
  const t = withTrace(scriptedTransport([{ command: "00A4040000", response: "6A82" }]), (l) => lines.push(l), {
    label: "r1",
    now: () => (clock += 2),
  });
  await t.transmit(fromHex("00A4040000"));
  expect(lines).toEqual(["[r1] => 00A4040000", "[r1] <= 6A82 (File or application not found) 2.0 ms"]);
});
