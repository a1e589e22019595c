/**
 * `webcard apdu` on a simulated card: plain, inside an authenticated secure
 * channel (--secure, GlobalPlatformPro's -s), and from a script file.
 * Subprocesses on a simulated card's state file, as a user meets them.
 */
import { test, expect, afterAll } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webcard } from "../harness/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-apdu-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const state = join(dir, "card.sqlite");
/** GET STATUS of the applications (GP 11.4): the card answers it only inside a secure channel. */
const GET_STATUS_APPS = "80F24002024F0000";

function exchanges(args: string[]) {
  const r = webcard(["apdu", "--sim", state, "--json", ...args]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  return JSON.parse(r.stdout) as { target: string; channel?: { level: string; kcv: unknown }; exchanges: { command: string; sw: string; data: string }[] };
}

test("apdu --sim STATE sends the APDUs as typed and prints each status word", () => {
  const r = webcard(["apdu", "--sim", state, "00A4040000", "80CA9F7F00"]);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe(`# simulated card (${state})\n`);
  expect(r.stdout).toMatch(/^> 00A4040000\n< 6F.* 9000 \(Success\)\n> 80CA9F7F00\n< 9F7F.* 9000 \(Success\)\n$/);
});

test("without a secure channel the card refuses GET STATUS; with --secure it answers, at the level asked", () => {
  expect(exchanges([GET_STATUS_APPS]).exchanges[0]!.sw).toBe("6982");
  const mac = exchanges(["--secure", GET_STATUS_APPS]);
  expect(mac.channel!.level).toBe("mac");
  expect(mac.exchanges[0]!.sw).toBe("9000");
  expect(mac.exchanges[0]!.data).toContain("F05745424341524401"); // the link application is in the registry
  const enc = exchanges(["--secure", "enc", GET_STATUS_APPS]);
  expect(enc.channel!.level).toBe("enc");
  expect(enc.exchanges[0]!.sw).toBe("9000");
  expect(JSON.stringify(enc)).not.toContain("404142434445464748494A4B4C4D4E4F");
});

test("a script file: one APDU a line, # comments and blank lines skipped; a bad line is named", () => {
  const script = join(dir, "script.apdu");
  writeFileSync(script, "# select the ISD\n00A4040000\n\n  80CA9F7F00   # CPLC\n");
  expect(exchanges(["--file", script]).exchanges.map((e) => e.command)).toEqual(["00A4040000", "80CA9F7F00"]);
  const bad = join(dir, "bad.apdu");
  writeFileSync(bad, "00A4040000\n00A404000\n");
  const r = webcard(["apdu", "--sim", state, "--file", bad]);
  expect(r.stderr.trim()).toBe(`webcard: ${bad} line 2 is not hex: odd number of hex digits (9)`);
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
});

test("--secure clear is refused: nothing would be protected", () => {
  const r = webcard(["apdu", "--sim", state, "--secure", "clear", "80CA9F7F00"]);
  expect(r.stderr.trim()).toContain("--secure clear sends nothing protected");
  expect(r.code).toBe(2);
});
