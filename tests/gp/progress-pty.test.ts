/**
 * The LOAD progress bar under a pseudo-terminal (util-linux `script`), as a
 * technician sees it: at 50 and 120 columns every redraw fits the width (so
 * the terminal never wraps it into a new line), all redraws share one line,
 * and a final line gives size, time and rate. On the gp path the bar counts
 * the LOAD commands the terminal sends; on the web path (the default, `auto`
 * with the card's link) the card's own loader reports its steps while it
 * runs them (docs/link-protocol.md section 8.1), and the bar counts blocks of
 * the block size the loader announced.
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

/**
 * The LOAD's blocks by path: 89 GP LOAD commands of 247 bytes (C-MAC); or
 * 86 blocks of the card loader's 255, reported at most 16 times: steps of
 * ceil(86 / 16) = 6 blocks, so 15 reports.
 */
const PATHS = [
  { via: "gp", blocks: 89, redraws: 89 },
  { via: "web", blocks: 86, redraws: 15 },
] as const;

for (const { via, blocks, redraws: expected } of PATHS) {
  for (const columns of [50, 120]) {
    test.if(hasScript)(`--via ${via} at ${columns} columns: the bar redraws in place and fits`, () => {
      const state = join(dir, `pty-${via}-${columns}.sqlite`);
      const out = join(dir, `pty-${via}-${columns}.txt`);
      const command = `stty cols ${columns} rows 24; ${quote(realpathSync(process.execPath))} ${quote(CLI)} install ${quote(ALGTEST)} --via ${via} --sim ${quote(state)}`;
      const r = Bun.spawnSync([SCRIPT, "-qc", command, out], { stdout: "ignore", stderr: "pipe", env: { ...process.env, TERM: "xterm" } });
      expect(r.exitCode).toBe(0);
      const typescript = readFileSync(out, "utf8");
      // The first terminal line holds every redraw, then the final line; nothing of the bar spills over.
      const lines = typescript.split("\n");
      const barLine = lines.find((l) => l.includes("blocks"))!;
      const redraws = barLine.split("\r").filter((s) => s.startsWith("["));
      expect(redraws.length).toBe(expected);
      for (const draw of redraws) {
        const visible = draw.replace("\x1b[K", "");
        expect({ visible, fits: visible.length <= columns - 1 }).toEqual({ visible, fits: true });
      }
      // Each redraw counts more of the load than the one before, up to all of it.
      const counts = redraws.map((d) => Number(/ (\d+)\/\d+ blocks/.exec(d)![1]));
      expect(counts.every((n, i) => i === 0 || n > counts[i - 1]!)).toBe(true);
      expect(counts.at(-1)).toBe(blocks);
      expect(barLine).toMatch(new RegExp(`\\rSent 21\\.4 KB in ${blocks} blocks in [\\d.]+ s, [\\d.]+ (KB|B)/s\\x1b\\[K\\r?$`));
      expect(lines.filter((l) => l.includes("blocks  ")).length).toBe(1);
      expect(typescript).toContain("Installed applet 4A43416C675465737431");
      // On a terminal the bar replaces the loader's step lines (they are in --trace).
      expect(typescript).not.toMatch(/order: |loader: |\bOL\b/);
    });
  }
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
