/**
 * A load progress bar on stderr, only when stderr is a terminal: blocks,
 * bytes and rate, redrawn in place at the terminal's width (a line one
 * column too long wraps, and every redraw would then start a new line), and
 * a final line with size, time and rate. When stderr is not a terminal
 * (pipes, CI, tests) it prints nothing at all.
 */
import type { LoadProgress } from "../host/gp/load.ts";

export interface ProgressBar {
  /** Feed one progress report. */
  update(p: LoadProgress): void;
  /** Finish the line (call once, also on failure). */
  done(): void;
}

/** Bar width without a terminal width (tests), and its bounds. */
const WIDTH = 24;
const MIN_BAR = 8;
const MAX_BAR = 40;
/** Assumed when the terminal does not say. */
const DEFAULT_COLUMNS = 80;

function kb(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`;
}

function rateText(bytes: number, elapsedMs: number): string {
  return elapsedMs > 0 ? `${kb(Math.round((bytes * 1000) / elapsedMs))}/s` : "";
}

/**
 * Render one progress line (exported for tests). With `columns`, the line
 * fits in columns - 1 characters: the bar shrinks first, then the rate and
 * the byte counts are left out.
 */
export function progressLine(p: LoadProgress, elapsedMs: number, columns?: number): string {
  const frac = p.totalBytes === 0 ? 1 : p.bytes / p.totalBytes;
  const parts = [`${p.block}/${p.blocks} blocks`, `${kb(p.bytes)}/${kb(p.totalBytes)}`, rateText(p.bytes, elapsedMs)];
  const render = (width: number, shown: string[]) => {
    const filled = Math.round(frac * width);
    return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${shown.filter((s) => s !== "").join("  ")}`.trimEnd();
  };
  if (columns === undefined) return render(WIDTH, parts);
  // The layout comes from the widest each part can get, so the bar keeps its width for the whole load.
  const widest = [`${p.blocks}/${p.blocks} blocks`.length, `${kb(p.totalBytes)}/${kb(p.totalBytes)}`.length, "9999.9 KB/s".length];
  const room = columns - 1;
  for (let keep = parts.length; keep >= 1; keep--) {
    const text = widest.slice(0, keep).reduce((a, b) => a + b, 0) + 2 * (keep - 1);
    const width = Math.min(MAX_BAR, room - text - 3);
    if (width >= MIN_BAR) return render(width, parts.slice(0, keep));
  }
  return render(MIN_BAR, parts.slice(0, 1)).slice(0, Math.max(room, 1));
}

/** The last line: size, time and rate ("Sent 21.4 KB in 89 blocks in 2.1 s, 10.2 KB/s"). */
export function finalLine(p: LoadProgress, elapsedMs: number): string {
  const rate = rateText(p.bytes, elapsedMs);
  return `Sent ${kb(p.bytes)} in ${p.blocks} block${p.blocks === 1 ? "" : "s"} in ${(elapsedMs / 1000).toFixed(1)} s${rate ? `, ${rate}` : ""}`;
}

/** A progress bar writing to `stream` when it is a TTY; a silent one otherwise. */
export function createProgressBar(
  stream: { isTTY?: boolean; columns?: number; write(s: string): unknown } = process.stderr,
  now: () => number = () => performance.now(),
): ProgressBar {
  if (stream.isTTY !== true) return { update() {}, done() {} };
  const start = now();
  let last: LoadProgress | undefined;
  // Read at each redraw: the user may resize the terminal during a load.
  const columns = () => (stream.columns !== undefined && stream.columns > 0 ? stream.columns : DEFAULT_COLUMNS);
  return {
    update(p) {
      stream.write(`\r${progressLine(p, now() - start, columns())}\x1b[K`);
      last = p;
    },
    done() {
      if (last) stream.write(`\r${finalLine(last, now() - start).slice(0, columns() - 1)}\x1b[K\n`);
      last = undefined;
    },
  };
}
