import { test, expect } from "bun:test";
import { createProgressBar, progressLine } from "./progress.ts";

test("the line shows blocks, bytes and rate", () => {
  expect(progressLine({ block: 45, blocks: 89, bytes: 11_115, totalBytes: 21_873 }, 1000)).toBe(
    "[############............] 45/89 blocks  10.9 KB/21.4 KB  10.9 KB/s",
  );
});

test("nothing is written when the stream is not a terminal", () => {
  const written: string[] = [];
  const bar = createProgressBar({ isTTY: false, write: (s) => written.push(s) });
  bar.update({ block: 1, blocks: 1, bytes: 10, totalBytes: 10 });
  bar.done();
  expect(written).toEqual([]);
});

test("on a terminal the bar redraws in place and ends the line once", () => {
  const written: string[] = [];
  let t = 0;
  const bar = createProgressBar({ isTTY: true, write: (s) => written.push(s) }, () => (t += 500));
  bar.update({ block: 1, blocks: 2, bytes: 100, totalBytes: 200 });
  bar.update({ block: 2, blocks: 2, bytes: 200, totalBytes: 200 });
  bar.done();
  bar.done();
  expect(written.length).toBe(3);
  expect(written[0]!.startsWith("\r[")).toBe(true);
  expect(written[2]).toBe("\rSent 200 B in 2 blocks in 1.5 s, 133 B/s\x1b[K\n");
});

test("the line fits the terminal at any width: the bar shrinks, then details go", () => {
  const p = { block: 45, blocks: 89, bytes: 11_115, totalBytes: 21_873 };
  for (const columns of [20, 30, 40, 50, 60, 80, 120, 200]) {
    const line = progressLine(p, 1000, columns);
    expect({ columns, fits: line.length <= columns - 1 }).toEqual({ columns, fits: true });
    expect(line.startsWith("[")).toBe(true);
  }
  expect(progressLine(p, 1000, 120)).toBe(`[${"#".repeat(20)}${".".repeat(20)}] 45/89 blocks  10.9 KB/21.4 KB  10.9 KB/s`);
  expect(progressLine(p, 1000, 50)).toContain("45/89 blocks");
});
