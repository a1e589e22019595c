/**
 * Struct sizes, offsets and constants as a C compiler computes them, read
 * from its assembly output instead of running a program: so a cross compiler
 * (MinGW-w64 for Windows) answers without the target's machine.
 * The program defines `unsigned int webcard_layout[]`; each entry becomes one
 * `.long N` line after the `webcard_layout:` label.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Compile `prelude` plus an array of `entries` (name -> C expression) with `compiler -S`; the values by name. */
export function compileLayout(compiler: string, prelude: string, entries: Record<string, string>, flags: string[] = []): Record<string, number> {
  const names = Object.keys(entries);
  const source = `${prelude}\nconst unsigned int webcard_layout[] = {\n${names.map((n) => `  (unsigned int)(${entries[n]}), /* ${n} */`).join("\n")}\n};\n`;
  const dir = mkdtempSync(join(tmpdir(), "webcard-layout-"));
  try {
    writeFileSync(join(dir, "layout.c"), source);
    const r = Bun.spawnSync([compiler, ...flags, "-S", "-O0", "-o", "-", join(dir, "layout.c")], { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`${compiler} failed:\n${r.stderr.toString()}`);
    const asm = r.stdout.toString().split("\n").map((l) => l.trim());
    const start = asm.findIndex((l) => l === "webcard_layout:");
    if (start < 0) throw new Error(`${compiler} emitted no webcard_layout label`);
    const values = asm.slice(start + 1, start + 1 + names.length).map((l) => /^\.long\s+(-?\d+)$/.exec(l)?.[1]);
    if (values.some((v) => v === undefined)) throw new Error(`unexpected assembly after webcard_layout: ${asm.slice(start, start + 4).join(" | ")}`);
    return Object.fromEntries(names.map((n, i) => [n, Number(values[i]) >>> 0]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
