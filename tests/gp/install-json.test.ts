/**
 * `install --json` prints the one document of docs/json.md on every path
 * (web, bridge, gp) for every fixture: the schema is read from the document
 * itself, so the documentation and the output cannot drift apart.
 * Subprocesses on simulated cards' state files.
 */
import { test, expect, afterAll } from "bun:test";
import { mkdtempSync, rmSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { webcard } from "../harness/cli.ts";
import { schemaFromMarkdown, schemaProblems } from "../harness/json-schema.ts";

const FIXTURES = resolve(import.meta.dir, "../../../shared/fixtures/cap");
const schema = schemaFromMarkdown(readFileSync(resolve(import.meta.dir, "../../docs/json.md"), "utf8"));
const dir = mkdtempSync(join(tmpdir(), "webcard-install-json-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith(".cap") && !f.startsWith("pysim"));
const runs = fixtures.flatMap((file) => (["web", "bridge", "gp"] as const).map((path) => [file, path] as const));

test("the checker finds what is wrong", () => {
  expect(schemaProblems(schema, { ok: true })).toContain("$: missing path");
  expect(schemaProblems(schema, {})).not.toEqual([]);
});

test.each(runs)("%s by %s", (file, path) => {
  const state = join(dir, `${path}-${file}.sqlite`);
  const r = webcard(["install", join(FIXTURES, file), "--via", path, "--sim", state, "--json"]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  const out = JSON.parse(r.stdout);
  expect(schemaProblems(schema, out)).toEqual([]);
  expect(out.path).toBe(path);
  expect(out.reader).toBe(`simulated card (${state})`);
  expect(out.installed.length).toBeGreaterThan(0);
  // The same instances whatever the path: the registry lists each one.
  const listed = JSON.parse(webcard(["list", "--sim", state, "--json"]).stdout).apps.map((a: { aid: string }) => a.aid);
  expect(listed).toEqual(expect.arrayContaining(out.installed.map((i: { instance: string }) => i.instance)));
});

test("an extra instance by the web path reports the same document, from the loaded package", () => {
  const state = join(dir, "extra.sqlite");
  const hello = join(FIXTURES, "kaoh_helloworld.cap");
  expect(webcard(["install", hello, "--sim", state]).code).toBe(0);
  const out = JSON.parse(webcard(["install", hello, "--instance", "D0D1D2D3D4D50102", "--sim", state, "--json"]).stdout);
  expect(schemaProblems(schema, out)).toEqual([]);
  expect(out).toMatchObject({ reused: true, load: null, installed: [{ module: "D0D1D2D3D4D50101", instance: "D0D1D2D3D4D50102", lifeCycle: "selectable" }] });
});
