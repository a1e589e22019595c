/**
 * The LOAD progress bar under a pseudo-terminal (util-linux `script`), as a
 * technician sees it: at 50 and 120 columns every redraw fits the width (so
 * the terminal never wraps it into a new line), all redraws share one line,
 * and a final line gives size, time and rate. The gp path; the bridge and web
 * paths report the card's steps, not LOAD blocks.
 */
import { test, expect, afterAll } from "bun:test";
import { mkdtempSync, rmSync, readFileSync, realpathSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CLI } from "../harness/cli.ts";
import { CI } from "../harness/pcscd.ts";

const SCRIPT = "/usr/bin/script";
const hasScript = existsSync(SCRIPT);
const FIXTURES = resolve(import.meta.dir, "../../../shared/fixtures/cap");
const ALGTEST = join(FIXTURES, "jcalgtest_AlgTest_v1.7.4_jc222.cap");
const dir = mkdtempSync(join(tmpdir(), "webcard-pty-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.if(!hasScript && CI)("util-linux script is installed (CI)", () => {
  expect(hasScript).toBe(true);
});

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

for (const columns of [50, 120]) {
  test.if(hasScript)(`at ${columns} columns the bar redraws in place and fits`, () => {
    const state = join(dir, `pty-${columns}.sqlite`);
    const out = join(dir, `pty-${columns}.txt`);
    const command = `stty cols ${columns} rows 24; ${quote(realpathSync(process.execPath))} ${quote(CLI)} install ${quote(ALGTEST)} --via gp --sim ${quote(state)}`;
    const r = Bun.spawnSync([SCRIPT, "-qc", command, out], { stdout: "ignore", stderr: "pipe", env: { ...process.env, TERM: "xterm" } });
    expect(r.exitCode).toBe(0);
    const typescript = readFileSync(out, "utf8");
    // The first terminal line holds every redraw, then the final line; nothing of the bar spills over.
    const lines = typescript.split("\n");
    const barLine = lines.find((l) => l.includes("blocks"))!;
    const redraws = barLine.split("\r").filter((s) => s.startsWith("["));
    expect(redraws.length).toBe(89);
    for (const draw of redraws) {
      const visible = draw.replace("\x1b[K", "");
      expect({ visible, fits: visible.length <= columns - 1 }).toEqual({ visible, fits: true });
    }
    expect(barLine).toMatch(/\rSent 21\.4 KB in 89 blocks in [\d.]+ s, [\d.]+ (KB|B)\/s\x1b\[K\r?$/);
    expect(lines.filter((l) => l.includes("blocks  ")).length).toBe(1);
    expect(typescript).toContain("Installed applet 4A43416C675465737431");
  });
}

test.if(hasScript)("--quiet: no bar and no progress lines, even on a terminal", () => {
  const state = join(dir, "pty-quiet.sqlite");
  const out = join(dir, "pty-quiet.txt");
  for (const via of ["gp", "web"]) {
    const command = `stty cols 80 rows 24; ${quote(realpathSync(process.execPath))} ${quote(CLI)} install ${quote(ALGTEST)} --via ${via} --force --quiet --sim ${quote(state)}`;
    const r = Bun.spawnSync([SCRIPT, "-qc", command, out], { stdout: "ignore", stderr: "pipe", env: { ...process.env, TERM: "xterm" } });
    expect(r.exitCode).toBe(0);
    const typescript = readFileSync(out, "utf8");
    expect(typescript).not.toContain("blocks  ");
    expect(typescript).not.toContain("\x1b[K");
    expect(typescript).toContain("Installed applet 4A43416C675465737431");
  }
});
