/** What the dashboard's page writes from server data: progress lines, byte counts, rates. Pure, unit-tested. */

/** LOAD progress as the server sends it (see src/web/deps.ts Progress), with the op id and a rate. */
export interface BlockProgress {
  op: string;
  block: number;
  blocks: number;
  bytes: number;
  totalBytes: number;
  /** Bytes per second since the start. */
  rate?: number;
}

/** A line of the card's loader (the web flow reports lines, not blocks). */
export interface LineProgress {
  op: string;
  line: string;
}

export type ProgressEvent = BlockProgress | LineProgress;

/** 22,306 */
export function formatBytes(n: number): string {
  return n.toLocaleString("en-US");
}

/** "1.5 KiB/s" from 1,024 bytes a second up, "512 B/s" below. */
export function formatRate(bytesPerSecond: number): string {
  return bytesPerSecond >= 1024 ? `${(bytesPerSecond / 1024).toFixed(1)} KiB/s` : `${Math.round(bytesPerSecond)} B/s`;
}

/** "Block 3 of 89, 741 of 22,306 bytes, 1.2 KiB/s". */
export function progressText(p: BlockProgress): string {
  const rate = p.rate === undefined ? "" : `, ${formatRate(p.rate)}`;
  return `Block ${p.block} of ${p.blocks}, ${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)} bytes${rate}`;
}

/** The trace with `line` added, keeping the last `max` lines. */
export function appendTrace(text: string, line: string, max = 400): string {
  const next = text ? `${text}\n${line}` : line;
  const lines = next.split("\n");
  return lines.length > max ? lines.slice(-max).join("\n") : next;
}

/** The frame address for a path typed by the user: under `base` (which ends with '/'), "/" when empty. */
export function cardWebAddress(base: string, typed: string): string {
  let path = typed.trim() || "/";
  if (!path.startsWith("/")) path = `/${path}`;
  return base + path.slice(1);
}
