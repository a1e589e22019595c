/** `webcard sim` as a user types it: help and bad options (no reader needed). */
import { test, expect } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webcard } from "../harness/cli.ts";

test("webcard sim --help lists every option", () => {
  const r = webcard(["sim", "--help"]);
  expect(r.code).toBe(0);
  for (const o of ["--vpcd", "--state", "--key", "--scp", "--memory", "--java-card", "--open", "--reset", "--no-link"]) expect(r.stdout).toContain(o);
});

test.each([
  [["--scp", "04"], "Unknown secure channel protocol '04'"],
  [["--java-card", "9.9"], "Unknown Java Card version 9.9"],
  [["--vpcd", "host:port"], "--vpcd must be HOST:PORT or PORT"],
  [["--memory", "lots"], "--memory must be a number of bytes"],
  [["--key", "4041"], "An SCP03 key is 16, 24 or 32 bytes"],
  [["--key", "zz"], "--key is not hex"],
])("webcard sim %p is bad usage (exit 2, one line)", (args, message) => {
  const dir = mkdtempSync(join(tmpdir(), "webcard-sim-cli-"));
  try {
    const r = webcard(["sim", "--state", join(dir, "c.sqlite"), "--vpcd", "127.0.0.1:1", ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
