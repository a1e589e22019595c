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
  expect(written[2]).toBe("\n");
});
