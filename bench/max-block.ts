/**
 * The 22 KB fixture (jcalgtest AlgTest 1.7.4) installed with `webcard install
 * --via gp` through pcscd + vpcd (a private pcscd, tests/pcsc/isolated.ts)
 * against `webcard sim --max-block 1024` and against the default 255: every
 * APDU of the install counted from `--trace` (SELECT, authentication, the
 * registry lookup, INSTALL, LOAD). Usage: bun bench/max-block.ts
 */
import { join, resolve } from "node:path";
import { BUN, isolationUsable, runIsolated } from "../tests/pcsc/isolated.ts";
import { machine, writeResult } from "./report.ts";

const ROOT = resolve(import.meta.dir, "..");

if (!isolationUsable) throw new Error("bench/max-block.ts needs a private pcscd namespace (root, unshare) and vpcd");
const r = await runIsolated([BUN, join(ROOT, "tests/gp/pcsc-domains-scenario.ts"), "installs-only"], 240_000);
const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as {
  error?: string;
  installs: Record<string, { code: number; apdus: number; out: { channel: { blockSize: number }; load?: { blocks: number } } }>;
};
if (out.error) throw new Error(out.error);
const rows = ["1024", "255"].map((m) => {
  const i = out.installs[m]!;
  if (i.code !== 0) throw new Error(`install against --max-block ${m} failed: ${JSON.stringify(i.out)}`);
  return [m, i.out.channel.blockSize, i.out.load?.blocks ?? "-", i.apdus];
});
writeResult("max-block", {
  title: "LOAD blocks of the card's size: 22 KB install by 9F65",
  command: "bun bench/max-block.ts",
  date: new Date().toISOString(),
  machine: machine(),
  columns: ["sim --max-block (FCI 9F65)", "LOAD block (bytes, SCP03 C-MAC)", "LOAD commands", "APDUs in all"],
  rows,
  notes: [
    "jcalgtest_AlgTest_v1.7.4_jc222.cap (21,870-byte load file data block), `webcard install FILE --via gp -r <reader> --trace` against `webcard sim --no-link --max-block N` in a vpcd reader of a private pcscd; APDUs counted from the trace (every command sent: SELECT, INITIALIZE UPDATE, EXTERNAL AUTHENTICATE, the two GET STATUS lookups, INSTALL [for load], LOAD, INSTALL).",
    "A card whose FCI announces more than 255 bytes gets blocks of its size when the path carries extended-length APDUs (pcscd + vpcd does); the block is 9F65 less the 8-byte C-MAC. Issue 13 asks for at most 30 APDUs at 1024 (against 95 at 255).",
  ],
});
