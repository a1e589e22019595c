/** The profile options as a user meets them: `webcard sim --profiles`, `--sim STATE --profile`, and their one-line refusals. */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webcard } from "../harness/cli.ts";
import { shippedProfiles } from "../../src/card/profiles/catalogue.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-profiles-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("sim --profiles lists every profile with its maker and source; --json too", () => {
  const r = webcard(["sim", "--profiles"]);
  expect(r.code).toBe(0);
  for (const p of shippedProfiles()) expect(r.stdout).toContain(`${p.name.padEnd(11)}  ${p.title} (${p.maker}), ${p.protocol}, ISD ${p.isd.aid}`);
  expect(r.stdout).toContain("source: REAL-CARDS.md section 16:");
  const j = JSON.parse(webcard(["sim", "--profiles", "--json"]).stdout) as { name: string; source: string }[];
  expect(j.map((p) => p.name)).toEqual(shippedProfiles().map((p) => p.name));
});

test("--sim STATE --profile makes that card; the state remembers it; another profile is refused in one line", () => {
  const state = join(dir, "t0.sqlite");
  const info = webcard(["info", "--sim", state, "--profile", "jcop4-t0"]);
  expect(info.code).toBe(0);
  expect(info.stdout).toContain("CIN: 00003266201710208650");
  expect(webcard(["info", "--sim", state]).stdout).toContain("CIN: 00003266201710208650");
  const other = webcard(["info", "--sim", state, "--profile", "jcop4"]);
  expect({ code: other.code, stderr: other.stderr.trim() }).toEqual({
    code: 1,
    stderr: `webcard: The state file ${state} holds a jcop4-t0 card, not jcop4 (use another --state file for a jcop4 card, or leave out --profile to use this one)`,
  });
});

test("--profile without --sim, an unknown name and a bad file get one line each", () => {
  const noSim = webcard(["info", "--profile", "jcop4", "-r", "nothing"]);
  expect(noSim.code).toBe(2);
  expect(noSim.stderr.trim()).toBe("webcard: --profile makes a simulated card behave as a real one: use it with --sim (a card in a reader is what it is)");
  const unknown = webcard(["info", "--sim", join(dir, "u.sqlite"), "--profile", "jcop5"]);
  expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
  expect(unknown.stderr).toStartWith("webcard: Unknown card profile 'jcop5': use one of gp23, acosj,");
  const bad = join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify({ name: "bad" }));
  const r = webcard(["info", "--sim", join(dir, "b.sqlite"), "--profile", bad]);
  expect(r.stderr.trim()).toBe("webcard: Profile bad.json: title is missing (see docs/profiles.md for the fields of a profile)");
});

test("the dashboard's simulated card follows its profile: T=0 reader, its ATR, and its registry read through GET RESPONSE", async () => {
  const { simSource, depsFrom } = await import("../../src/cli/reader-sources.ts");
  const { toHex, fromHex } = await import("../../src/stack/bytes.ts");
  const source = await simSource(join(dir, "ui.sqlite"), undefined, undefined, "jcop4-t0");
  try {
    const deps = depsFrom([source]);
    const [reader] = (await deps.listReaders()).filter((r) => r.simulated);
    const atr = reader!.atr;
    expect({ protocol: reader!.protocol, atr: typeof atr === "string" ? atr : toHex(atr!) }).toEqual({ protocol: "T=0", atr: "3B6A00FF0031C173C84000009000" });
    const card = await deps.openCard(reader!.name);
    // The FCI comes back whole: the ISO layer answered the card's 6Cxx.
    expect(toHex(await card.transmit(fromHex("00A4040000")))).toBe("6F108408A000000151000000A5049F6501FF9000");
    await card.close?.();
  } finally {
    await source.close?.();
  }
});
