/**
 * What an SCP11 card tells without authentication: the key information
 * template (GP 2.3.1 11.3.3.1, key types of table 11-16), card recognition
 * data (GET DATA 66) and card capabilities (67) naming SCP11 beside SCP03,
 * and `webcard info` showing them; S8 or S16 chosen by `--s16` on both sides.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { ResponseApdu } from "../../src/stack/apdu.ts";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { CURVES, ecKeyPem, generateEcKey } from "../../src/stack/gp/scp11/curves.ts";
import { parseKeyInformation } from "../../src/stack/gp/key-info.ts";
import { parseCardRecognition } from "../../src/stack/gp/card-data.ts";
import { parseTlvTree, findDeep } from "../../src/stack/tlv.ts";
import { webcard } from "../harness/cli.ts";

const selectIsd = fromHex("00A4040008A00000015100000000");
const dir = mkdtempSync(join(tmpdir(), "webcard-scp11-data-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function getData(card: ReturnType<typeof createSimulatedCard>, tag: string): Promise<Uint8Array> {
  const t = inProcessTransport(card);
  await t.transmit(selectIsd);
  const r = ResponseApdu.parse(await t.transmit(fromHex(`80CA${tag}00`)));
  expect(r.sw).toBe(0x9000);
  return r.data;
}

describe.each([
  ["P-256", 32, 65],
  ["P-384", 48, 97],
  ["P-521", 66, 133],
] as const)("an SCP11 card on %s", (name, scalar, point) => {
  const curve = CURVES[name];
  const card = createSimulatedCard({ scp11: { curve, variants: ["a", "b", "c"], ca: generateEcKey(curve) } });

  test("key information: the SD's key pairs as B1 (private scalar) with F0, the CA-KLOC key as B0 (point) with F0", async () => {
    const keys = parseKeyInformation(await getData(card, "00E0"));
    for (const kid of [0x11, 0x13, 0x15]) {
      expect(keys.find((k) => k.id === kid)).toEqual({ id: kid, version: 1, components: [{ type: 0xb1, length: scalar }, { type: 0xf0, length: 1 }] });
    }
    expect(keys.find((k) => k.id === 0x10)).toEqual({ id: 0x10, version: 1, components: [{ type: 0xb0, length: point }, { type: 0xf0, length: 1 }] });
    // The SCP03 key set is still there, AES (88) keys of 16 bytes.
    expect(keys.filter((k) => k.version === 0xff).map((k) => k.components)).toEqual([1, 2, 3].map(() => [{ type: 0x88, length: 16 }]));
  });
});

test("GET DATA 66 names SCP03 and each SCP11 variant with its i; 67 lists SCP11's i values in one A0", async () => {
  const curve = CURVES["P-256"];
  const card = createSimulatedCard({ scp11: { curve, variants: ["c", "a"], ca: generateEcKey(curve) } });
  const recognition = parseCardRecognition(await getData(card, "0066"));
  expect(recognition.scps).toEqual([
    { scp: 3, i: 0x70 },
    { scp: 0x11, i: 0x01 },
    { scp: 0x11, i: 0x03 },
  ]);
  const caps = parseTlvTree(await getData(card, "0067"));
  const a0s = findDeep(caps, 0x67)!.children!.filter((c) => c.tag === 0xa0);
  expect(a0s.map((a) => toHex(a.value))).toEqual(["800103810170", "800111810201" + "03"]);
});

test("a card without SCP11 names SCP03 only", async () => {
  const card = createSimulatedCard();
  expect(parseCardRecognition(await getData(card, "0066")).scps).toEqual([{ scp: 3, i: 0x70 }]);
});

describe("webcard info and --s16 on a state file with SCP11 keys", () => {
  const curve = CURVES["P-384"];
  const ca = generateEcKey(curve);
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, ecKeyPem(ca), { mode: 0o600 });
  const state = join(dir, "s16.sqlite");
  createSimulatedCard({ statePath: state, scp11: { curve, variants: ["b"], ca, macLength: 16 } }).close();

  test("info shows SCP11b beside SCP03 and the key as ECC with its certificate", () => {
    const r = webcard(["info", "--sim", state]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Secure channel: SCP03 i=70\nSecure channel: SCP11 i=00\n");
    expect(r.stdout).toMatch(/Key: version 1 \(0x01\) id 19 \(0x13, SCP11b\): ECC P-384, certificate subject [0-9A-F]+ issued by CA/);
    expect(r.stdout).toContain("id 16 (0x10, CA-KLOC for OCE certificates): ECC P-384");
    const j = JSON.parse(webcard(["info", "--sim", state, "--json"]).stdout);
    expect(j.scps).toEqual([
      { scp: "03", i: "70" },
      { scp: "11", i: "00" },
    ]);
  });

  test("list --scp 11b --s16 works on an S16 card; without --s16 the first wrapped command fails in one line", () => {
    const ok = webcard(["list", "--sim", state, "--scp", "11b", "--s16", "--ca-key", caFile]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("A000000151000000");
    const s8 = webcard(["list", "--sim", state, "--scp", "11b", "--ca-key", caFile]);
    expect(s8.code).toBe(1);
    expect(s8.stderr.trim().split("\n")).toHaveLength(1);
    expect(s8.stderr).toContain("--s16");
  });

  test("--s16 without SCP11 is a usage error that says what it goes with", () => {
    const r = webcard(["list", "--sim", state, "--s16"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("webcard: --s16 goes with --scp 11a, 11b or 11c (SCP02 and SCP03 sessions here use 8-byte MACs)");
  });
});
