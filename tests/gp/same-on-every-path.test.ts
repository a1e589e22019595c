/**
 * Resume and replace behave the same on every install path (the card's web
 * server, the bridge, GlobalPlatform): a second install is refused in one
 * line naming --force and leaves the card as it was, --force replaces, `load`
 * then `install` works, and an extra instance comes from the loaded package
 * without loading it again. The registries the paths leave are the same.
 * Subprocesses on simulated cards' state files, as a user meets them.
 */
import { test, expect, describe, afterAll } from "bun:test";
import { mkdtempSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { webcard } from "../harness/cli.ts";

const FIXTURES = resolve(import.meta.dir, "../../../shared/fixtures/cap");
const hello = join(FIXTURES, "kaoh_helloworld.cap");
const dir = mkdtempSync(join(tmpdir(), "webcard-every-path-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ok(args: string[]): string {
  const r = webcard(args);
  expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: "" });
  return r.stdout;
}

function registry(state: string) {
  const j = JSON.parse(ok(["list", "--sim", state, "--json"]));
  return { apps: j.apps, loadFiles: j.loadFiles };
}

const PATHS = ["web", "bridge", "gp"] as const;
const after: Record<string, ReturnType<typeof registry>> = {};

describe.each(PATHS)("--via %s", (via) => {
  const state = join(dir, `${via}.sqlite`);

  test("a second install is refused in one line naming --force, and the card is unchanged", () => {
    ok(["install", hello, "--via", via, "--sim", state]);
    const before = registry(state);
    const r = webcard(["install", hello, "--via", via, "--sim", state]);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("webcard: Package D0D1D2D3D4D501 and instance D0D1D2D3D4D50101 are already on the card (use --force to replace it");
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: "" });
    expect(registry(state)).toEqual(before);
  });

  test("an extra instance comes from the loaded package, without loading again", () => {
    const out = ok(["install", hello, "--via", via, "--instance", "D0D1D2D3D4D50102", "--sim", state]);
    expect(out).toContain("Package D0D1D2D3D4D501 1.0 is already on the card: installing from it without loading again");
    expect(out).toContain("Installed applet D0D1D2D3D4D50101 as D0D1D2D3D4D50102");
    const apps = registry(state).apps.map((a: { aid: string }) => a.aid);
    expect(apps).toEqual(expect.arrayContaining(["D0D1D2D3D4D50101", "D0D1D2D3D4D50102"]));
  });

  test("--force replaces the package and its instances", () => {
    const out = ok(["install", hello, "--via", via, "--force", "--sim", state]);
    expect(out).toContain("Deleted the copy of package D0D1D2D3D4D501 already on the card (--force)");
    const apps = registry(state).apps.map((a: { aid: string }) => a.aid);
    expect(apps).toContain("D0D1D2D3D4D50101");
    expect(apps).not.toContain("D0D1D2D3D4D50102");
    after[via] = registry(state);
  });

  test("load, then install", () => {
    const fresh = join(dir, `${via}-load.sqlite`);
    ok(["load", hello, "--sim", fresh]);
    const out = ok(["install", hello, "--via", via, "--sim", fresh]);
    expect(out).toContain("installing from it without loading again");
    expect(registry(fresh).apps.map((a: { aid: string }) => a.aid)).toContain("D0D1D2D3D4D50101");
  });
});

test("every path leaves the same registry", () => {
  expect(after.web).toEqual(after.gp!);
  expect(after.bridge).toEqual(after.gp!);
});

describe("every fixture twice in a row by the default path", () => {
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith(".cap") && !f.startsWith("pysim"));
  test.each(fixtures)("%s", (file) => {
    const state = join(dir, `twice-${file}.sqlite`);
    const cap = join(FIXTURES, file);
    ok(["install", cap, "--sim", state]);
    const before = registry(state);
    const again = webcard(["install", cap, "--sim", state]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);
    expect(again.stderr).toContain("--force");
    expect(registry(state)).toEqual(before);
    ok(["install", cap, "--force", "--sim", state]);
    expect(registry(state)).toEqual(before);
  });
});
