/**
 * Interoperability with pyscard (Debian python3-pyscard): a Python script
 * using smartcard.System.readers() and connection.transmit talks to
 * `webcard sim` on a vpcd reader of the shared pcscd, as a user's script
 * would: SELECT of the ISD, GET DATA CPLC, GET STATUS of every subset.
 */
import { test, expect, afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { parseRegistryEntries } from "../../src/stack/gp/registry.ts";
import { claimReader, pcscUsable } from "../harness/pcscd.ts";
import { startSim } from "./sim-process.ts";
import { pythonWithPyscard } from "../harness/pyscard.ts";

const PROBE = resolve(import.meta.dir, "pyscard-probe.py");

const PYTHON = pythonWithPyscard();
const dir = mkdtempSync(join(tmpdir(), "webcard-pyscard-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Probe {
  atr: string;
  select: { data: string; sw: string };
  cplc: { data: string; sw: string };
  isd: { data: string; sws: string[] };
  apps: { data: string; sws: string[] };
  loadFiles: { data: string; sws: string[] };
}

test.if(pcscUsable && PYTHON !== undefined)("pyscard selects the ISD, reads the CPLC and GET STATUS from webcard sim through pcscd + vpcd", async () => {
  const reader = await claimReader();
  const sim = await startSim(reader.port, ["--state", join(dir, "card.sqlite"), "--reset", "--open"]);
  let simExit: number | undefined;
  try {
    const p = Bun.spawn([PYTHON!, PROBE, reader.name, "15"], { stdout: "pipe", stderr: "pipe" });
    const timer = setTimeout(() => p.kill("SIGKILL"), 30_000);
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    clearTimeout(timer);
    if (code !== 0) throw new Error(`pyscard probe exited ${code}: ${err}`);
    const r = JSON.parse(out.trim().split("\n").pop()!) as Probe;
    expect(r.atr).toBe("3B88800157454243415244317C");
    // FCI: 6F { 84 ISD AID, A5 { 73 ..., 9F65 FF } }.
    expect(r.select.sw).toBe("9000");
    expect(r.select.data).toStartWith("6F4F8408A000000151000000A543");
    expect(r.select.data).toEndWith("9F6501FF");
    expect(r.cplc.sw).toBe("9000");
    expect(r.cplc.data).toMatch(/^9F7F2A[0-9A-F]{84}$/);
    // The ISD: SECURED (0F) with its privileges.
    expect(r.isd.sws).toEqual(["9000"]);
    const isd = parseRegistryEntries(fromHex(r.isd.data), "apps");
    expect(isd.map((e) => [toHex(e.aid), e.lifecycle])).toEqual([["A000000151000000", 0x0f]]);
    // Applications: the built-in link application, selectable.
    expect(r.apps.sws).toEqual(["9000"]);
    const apps = parseRegistryEntries(fromHex(r.apps.data), "apps");
    expect(apps.length).toBe(1);
    expect(apps[0]!.lifecycle).toBe(0x07);
    // Load files: the Java Card API packages, more than one page (6310 then 9000).
    expect(r.loadFiles.sws.at(-1)).toBe("9000");
    expect(r.loadFiles.sws.slice(0, -1).every((s) => s === "6310")).toBe(true);
    expect(r.loadFiles.sws.length).toBeGreaterThan(1);
    const files = parseRegistryEntries(fromHex(r.loadFiles.data), "load-files").map((e) => toHex(e.aid));
    expect(files).toContain("A0000000620001"); // java.lang
    expect(files).toContain("A0000000620101"); // javacard.framework
    expect(new Set(files).size).toBe(files.length); // no entry twice across the pages
  } finally {
    sim.proc.kill("SIGTERM");
    simExit = await sim.proc.exited;
    reader.release();
  }
  // SIGTERM stops the card cleanly, nothing refused on the way.
  expect(simExit).toBe(0);
  expect(sim.stderr()).not.toContain("refused");
}, 60_000);
