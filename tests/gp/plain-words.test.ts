/**
 * What a technician reads from install, load and list, on every path,
 * successes and refusals alike, has no protocol jargon: no OL or IL, no
 * agents, nonces, link sessions, EXCHANGEs, frames, CGI scripts or HTTP
 * statuses. Those stay in --trace (checked too, so the scan can fail).
 * Subprocesses on simulated cards' state files, as a user meets them.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { webcard } from "../harness/cli.ts";

const FIXTURES = resolve(import.meta.dir, "../../../shared/fixtures/cap");
const HELLO = join(FIXTURES, "kaoh_helloworld.cap");
const PYSIM = join(FIXTURES, "pysim_test_javacard.cap");
const dir = mkdtempSync(join(tmpdir(), "webcard-plain-words-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Protocol words a technician should not have to know. */
const JARGON: readonly RegExp[] = [
  /\bOL\b/,
  /\bIL\b/,
  /\bagents?\b/i,
  /\bnonces?\b/i,
  /\bEXCHANGE\b/,
  /\bsession [0-9A-F]{2}\b/,
  /\bframes?\b/i,
  /\bcgi-bin\b/,
  /\bHTTP\b/,
  /\bscript\b/i,
  /\border: /,
];

function jargonIn(text: string): string[] {
  return JARGON.filter((re) => re.test(text)).map(String);
}

/** Everything a run printed, stdout and stderr, with its command. */
function said(args: string[]): { args: string; text: string } {
  const r = webcard(args);
  return { args: args.join(" "), text: r.stdout + r.stderr };
}

describe.each(["web", "bridge", "gp"] as const)("--via %s", (via) => {
  test("install, its refusals, --force, an extra instance, load then install, list: plain words", () => {
    const state = join(dir, `${via}.sqlite`);
    const sim = ["--sim", state];
    const runs = [
      said(["install", HELLO, "--via", via, ...sim]),
      said(["install", HELLO, "--via", via, ...sim]), // refused: already there
      said(["install", HELLO, "--via", via, "--force", ...sim]),
      said(["install", HELLO, "--via", via, "--instance", "D0D1D2D3D4D50102", ...sim]),
      said(["delete", "D0D1D2D3D4D501", "--force", ...sim]),
      said(["load", HELLO, ...sim]),
      said(["install", HELLO, "--via", via, ...sim]), // from the loaded package
      said(["install", PYSIM, "--via", via, ...sim]), // refused: a missing import
      said(["install", HELLO, "--via", via, "--key", "00112233445566778899AABBCCDDEEFF", ...sim]), // refused: wrong key
      said(["list", ...sim]),
    ];
    for (const run of runs) expect({ ...run, jargon: jargonIn(run.text) }).toEqual({ ...run, jargon: [] });
  }, 120_000);
});

test("--trace keeps the protocol's words (the scan finds them there)", () => {
  const run = said(["install", HELLO, "--via", "web", "--trace", "--sim", join(dir, "trace.sqlite")]);
  expect(jargonIn(run.text)).toEqual(expect.arrayContaining(["/\\bOL\\b/", "/\\bagents?\\b/i", "/\\bnonces?\\b/i", "/\\bHTTP\\b/"]));
}, 60_000);
