/**
 * Inside a private pcscd (runIsolated): `webcard sim` on vpcd, seen and
 * driven by Debian's PC/SC tools, then stopped with SIGTERM.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scenario } from "../../pcsc/scenarios/run.ts";
import { startSim, tool, waitForCard } from "../sim-process.ts";

await scenario(async (pcscd) => {
  const reader = pcscd.readers[0]!;
  const state = join(mkdtempSync(join(tmpdir(), "webcard-sim-tools-")), "card.sqlite");
  const sim = await startSim(reader.port, ["--state", state, "--reset"]);
  await waitForCard(reader.name);
  const scan = await tool(["pcsc_scan", "-r"]);
  const list = await tool(["opensc-tool", "--list-readers"]);
  const atr = await tool(["opensc-tool", "-r", reader.name, "-a"]);
  const select = await tool(["opensc-tool", "-r", reader.name, "-s", "00A4040008A000000151000000", "-s", "80CA9F7F00", "-s", "80E602001205010203040508A00000015100000000000000"]);
  sim.proc.kill("SIGTERM");
  const code = await sim.proc.exited;
  return { line: sim.line, scan: scan.out, list: list.out, atr: atr.out, select: select.out, exitCode: code, stderr: sim.stderr(), reader: reader.name };
});
