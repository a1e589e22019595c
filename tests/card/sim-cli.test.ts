/** `webcard sim` as a user types it: help and bad options (no reader needed). */
import { test, expect } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, webcard } from "../harness/cli.ts";

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

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
function closedPort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

test("without vpcd, webcard sim creates its default state file, says once what it waits for, and stops cleanly on SIGINT", async () => {
  const home = mkdtempSync(join(tmpdir(), "webcard-sim-home-"));
  try {
    const env: Record<string, string | undefined> = { ...process.env, HOME: home };
    delete env.XDG_DATA_HOME;
    const proc = Bun.spawn([process.execPath, CLI, "sim", "--vpcd", `127.0.0.1:${closedPort()}`], { env, stdout: "pipe", stderr: "pipe" });
    const state = join(home, ".local/share/webcard/card.sqlite");
    let err = "";
    const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
    while (!err.includes("\n")) {
      const { done, value } = await reader.read();
      if (done) break;
      err += new TextDecoder().decode(value);
    }
    expect(err).toMatch(/^webcard sim: waiting for vpcd at 127\.0\.0\.1:\d+ \(is pcscd running with the vpcd driver\?\)\n$/);
    expect(existsSync(state)).toBe(true);
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(0);
    expect(await new Response(proc.stdout).text()).toBe("");
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}, 30_000);
