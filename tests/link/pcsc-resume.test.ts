/**
 * Resume and replace done by the card's own script, through pcscd + vpcd
 * (`webcard sim` with the link application, `webcard install -r` by the
 * default path): the second install is refused in one line naming --force
 * and the card is unchanged, an extra instance and `load` then `install`
 * come from the loaded package, --force replaces; the terminal sends no
 * GlobalPlatform command of its own for any of it (no GET STATUS, no
 * DELETE): only the link's SELECT, the secure channel and EXCHANGEs. The
 * registries end as `--via gp` leaves them on the same steps.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webcard } from "../harness/cli.ts";
import { claimReader, CI, pcscUsable, type VpcdReader } from "../harness/pcscd.ts";
import { CAPS } from "./helpers.ts";
import { registry, startSim, type SimProcess } from "./pcsc-sim.ts";

const HELLO = join(CAPS, "kaoh_helloworld.cap");
const PKG = "D0D1D2D3D4D501";
let reader: (VpcdReader & { release(): void }) | undefined;
let sim: SimProcess | undefined;
let dir = "";

beforeAll(async () => {
  if (!pcscUsable) return;
  reader = await claimReader();
  dir = mkdtempSync(join(tmpdir(), "webcard-pcsc-resume-"));
  sim = await startSim(reader, dir, true);
});

afterAll(async () => {
  await sim?.stop().catch(() => undefined);
  reader?.release();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test.if(!pcscUsable && CI)("pcscd and vpcd are available (CI)", () => {
  expect(pcscUsable).toBe(true);
});

/** The commands the terminal sent (INS bytes of the traced APDUs, CLA stripped), in order, without repeats. */
function insSent(trace: string): string[] {
  const ins = [...trace.matchAll(/^=> [0-9A-F]{2}([0-9A-F]{2})/gm)].map((m) => m[1]!);
  return [...new Set(ins)];
}

function run(args: string[]) {
  return webcard([...args, "-r", reader!.name]);
}

/** The steps of the issue, by `via`; returns the registry after each step. */
function steps(via: "auto" | "gp"): string[][] {
  const v = via === "auto" ? [] : ["--via", via];
  const seen: string[][] = [];
  const ok = (args: string[]) => {
    const r = run(args);
    expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: "" });
    return r;
  };
  ok(["install", HELLO, ...v]);
  seen.push(registry(reader!.name));
  // Second install: one line naming --force, the card unchanged.
  const again = run(["install", HELLO, ...v]);
  expect({ code: again.code, stdout: again.stdout, lines: again.stderr.trim().split("\n").length }).toEqual({ code: 1, stdout: "", lines: 1 });
  expect(again.stderr).toContain(`webcard: Package ${PKG} and instance D0D1D2D3D4D50101 are already on the card (use --force to replace it`);
  expect(registry(reader!.name)).toEqual(seen[0]!);
  // An extra instance from the package on the card.
  const extra = ok(["install", HELLO, ...v, "--instance", "D0D1D2D3D4D50102", "--json"]);
  const doc = JSON.parse(extra.stdout) as { path: string; reused: boolean; load: unknown };
  expect({ path: doc.path, reused: doc.reused, load: doc.load }).toEqual({ path: via === "auto" ? "web" : "gp", reused: true, load: null });
  seen.push(registry(reader!.name));
  // --force replaces the package and both instances with one fresh copy.
  const forced = ok(["install", HELLO, ...v, "--force"]);
  expect(forced.stdout).toContain(`Deleted the copy of package ${PKG} already on the card (--force)`);
  seen.push(registry(reader!.name));
  // load, then install.
  ok(["delete", PKG, "--force"]);
  ok(["load", HELLO]);
  const after = ok(["install", HELLO, ...v]);
  expect(after.stdout).toContain(`Package ${PKG} 1.0 is already on the card: installing from it without loading again`);
  seen.push(registry(reader!.name));
  ok(["delete", PKG, "--force"]);
  return seen;
}

test.if(pcscUsable)("the card's script resumes, refuses and replaces as --via gp does, with no GlobalPlatform command from the terminal", () => {
  const web = steps("auto");
  const gp = steps("gp");
  expect(web).toEqual(gp);
  expect(web[1]!.filter((l) => l.startsWith("app D0D1D2D3D4D501"))).toHaveLength(2);
  // What the terminal sent for a refused install and for a replace on the web path.
  for (const args of [["install", HELLO], ["install", HELLO, "--force"]]) {
    if (args.length === 2) run(["install", HELLO]);
    const traced = run([...args, "--trace"]);
    // SELECT (A4), INITIALIZE UPDATE (50), EXTERNAL AUTHENTICATE (82), EXCHANGE (3C): nothing else.
    expect({ args, ins: insSent(traced.stderr) }).toEqual({ args, ins: ["A4", "50", "82", "3C"] });
  }
  run(["delete", PKG, "--force"]);
});
