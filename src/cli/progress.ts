/**
 * A load progress bar on stderr, only when stderr is a terminal: blocks,
 * bytes and rate, redrawn in place. When stderr is not a terminal (pipes,
 * CI, tests) it prints nothing at all.
 */
import type { LoadProgress } from "../host/gp/load.ts";

export interface ProgressBar {
  /** Feed one progress report. */
  update(p: LoadProgress): void;
  /** Finish the line (call once, also on failure). */
  done(): void;
}

const WIDTH = 24;

function kb(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`;
}

/** Render one progress line (exported for tests). */
export function progressLine(p: LoadProgress, elapsedMs: number): string {
  const frac = p.totalBytes === 0 ? 1 : p.bytes / p.totalBytes;
  const filled = Math.round(frac * WIDTH);
  const bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
  const rate = elapsedMs > 0 ? `${kb(Math.round((p.bytes * 1000) / elapsedMs))}/s` : "";
  return `[${bar}] ${p.block}/${p.blocks} blocks  ${kb(p.bytes)}/${kb(p.totalBytes)}  ${rate}`.trimEnd();
}

/** A progress bar writing to `stream` when it is a TTY; a silent one otherwise. */
export function createProgressBar(
  stream: { isTTY?: boolean; write(s: string): unknown } = process.stderr,
  now: () => number = () => performance.now(),
): ProgressBar {
  if (stream.isTTY !== true) return { update() {}, done() {} };
  const start = now();
  let drawn = false;
  return {
    update(p) {
      stream.write(`\r${progressLine(p, now() - start)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write("\n");
      drawn = false;
    },
  };
}
