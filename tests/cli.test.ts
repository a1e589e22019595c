/** The CLI as a user meets it: a subprocess, its output and its exit code. */
import { test, expect } from "bun:test";
import { webcard } from "./harness/cli.ts";
import pkg from "../package.json" with { type: "json" };

test("--help lists usage and exits 0", () => {
  const r = webcard(["--help"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("Usage:");
  expect(r.stdout).toContain("--trace");
  expect(r.stdout).toContain("--json");
});

test("--version prints the package version and exits 0", () => {
  const r = webcard(["--version"]);
  expect(r.code).toBe(0);
  expect(r.stdout.trim()).toBe(`webcard ${pkg.version}`);
});

test("an unknown command exits 2 with one line", () => {
  const r = webcard(["frobnicate"]);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trim().split("\n");
  expect(lines.length).toBe(1);
  expect(lines[0]).toBe("webcard: unknown command 'frobnicate' (see 'webcard --help')");
});
