/**
 * Reproducible builds: scripts/reproduce.ts builds HEAD twice from two fresh
 * clones at different paths and finds them byte-identical; the comparison
 * names what differs; the stamp says "-dirty" only for a changed tracked file.
 */
import { test, expect, afterAll } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compareBuilds, firstDifference, parseSums } from "../../scripts/build/compare.ts";
import { sha256sums } from "../../scripts/build/checksums.ts";
import { gitCommit } from "../../scripts/build/version.ts";
import { TARGETS, binaryName } from "../../scripts/build/targets.ts";

const ROOT = resolve(import.meta.dir, "../..");
const temp = mkdtempSync(join(tmpdir(), "webcard-repro-test-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const isGit = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" }).exitCode === 0;

test.if(isGit)("two builds of HEAD from clones at different paths are byte-identical, all five targets", () => {
  const r = Bun.spawnSync([process.execPath, join(ROOT, "scripts", "reproduce.ts")], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const output = r.stdout.toString() + r.stderr.toString();
  expect({ exitCode: r.exitCode, output }).toMatchObject({ exitCode: 0 });
  expect(output).toContain(`reproducible: ${TARGETS.length} file(s) of webcard`);
}, 300_000);

/** A release folder with the given file contents and their SHA256SUMS. */
async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(temp, name);
  mkdirSync(dir, { recursive: true });
  const entries = [];
  for (const [file, text] of Object.entries(files)) {
    writeFileSync(join(dir, file), text);
    entries.push({ path: join(dir, file), sha256: new Bun.CryptoHasher("sha256").update(text).digest("hex") });
  }
  writeFileSync(join(dir, "SHA256SUMS"), sha256sums(entries));
  return dir;
}

test("the comparison finds a differing byte, a missing target and a stale SHA256SUMS line", async () => {
  const a = await folder("a", { "webcard-linux-x64": "same bytes", "webcard-linux-arm64": "abcdef" });
  const same = await folder("same", { "webcard-linux-x64": "same bytes", "webcard-linux-arm64": "abcdef" });
  const names = ["webcard-linux-x64", "webcard-linux-arm64"];
  expect(await compareBuilds(a, same, names)).toEqual([]);

  const other = await folder("other", { "webcard-linux-x64": "same bytes", "webcard-linux-arm64": "abcXef" });
  expect(await compareBuilds(a, other, names)).toEqual(["webcard-linux-arm64 differs between the two builds, first at byte 3 (0x3)"]);

  expect(await compareBuilds(a, same, [...names, "webcard-windows-x64.exe"])).toHaveLength(2);

  const stale = await folder("stale", { "webcard-linux-x64": "same bytes", "webcard-linux-arm64": "abcdef" });
  writeFileSync(join(stale, "webcard-linux-x64"), "changed after the sums");
  expect((await compareBuilds(a, stale, names)).some((p) => p.includes("does not match its SHA256SUMS line"))).toBe(true);
});

test("SHA256SUMS lines parse in sha256sum's format and a bad line is named", () => {
  const text = sha256sums(TARGETS.map((t, i) => ({ path: `/x/${binaryName(t)}`, sha256: String(i).repeat(64) })));
  expect(parseSums(text).map((l) => l.name)).toEqual(TARGETS.map(binaryName).sort());
  expect(() => parseSums("nothex  webcard-linux-x64\n")).toThrow("SHA256SUMS line 1");
});

test("firstDifference reports the shorter length when sizes differ", () => {
  writeFileSync(join(temp, "short"), "abc");
  writeFileSync(join(temp, "long"), "abcd");
  expect(firstDifference(join(temp, "short"), join(temp, "long"))).toBe(3);
  expect(firstDifference(join(temp, "short"), join(temp, "short"))).toBe(-1);
});

test.if(Bun.which("git") !== null)("the stamp is -dirty only when a tracked file changed", () => {
  const repo = join(temp, "repo");
  mkdirSync(repo);
  const git = (...a: string[]) => Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", ...a], { cwd: repo, stdout: "pipe", stderr: "pipe" });
  git("init", "-q");
  writeFileSync(join(repo, "tracked.txt"), "one");
  git("add", "tracked.txt");
  expect(git("commit", "-q", "-m", "x").exitCode).toBe(0);
  const clean = gitCommit(repo);
  expect(clean).toMatch(/^[0-9a-f]{7}$/);
  writeFileSync(join(repo, "untracked.txt"), "not ours");
  expect(gitCommit(repo)).toBe(clean);
  writeFileSync(join(repo, "tracked.txt"), "two");
  expect(gitCommit(repo)).toBe(`${clean}-dirty`);
});
