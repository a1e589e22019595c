/**
 * Through pcscd + vpcd (a private pcscd, tests/pcsc/isolated.ts): the
 * technician's security domain scenario under SCP02 and SCP03, checked as
 * in-process (domains.test.ts), and the 22 KB install against
 * `webcard sim --max-block 1024` in at most 30 APDUs (95 at 255 bytes).
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { BUN, isolationUsable, runIsolated } from "../pcsc/isolated.ts";
import { checkScenario } from "./domain-expect.ts";

test.if(isolationUsable)(
  "security domains and the 1024-byte LOAD blocks through pcscd + vpcd",
  async () => {
    const r = await runIsolated([BUN, join(import.meta.dir, "pcsc-domains-scenario.ts")], 300_000);
    const last = r.stdout.trim().split("\n").pop() ?? "";
    const result = JSON.parse(last) as {
      ok: boolean;
      error?: string;
      installs: Record<string, { code: number; apdus: number; out: { channel: { blockSize: number } } }>;
      domains: Record<string, Parameters<typeof checkScenario>[0]>;
    };
    expect(result.error).toBeUndefined();
    const big = result.installs["1024"]!;
    const small = result.installs["255"]!;
    expect({ code: big.code, blockSize: big.out.channel.blockSize }).toEqual({ code: 0, blockSize: 1016 });
    expect(small.code).toBe(0);
    console.log(`22 KB install through pcscd + vpcd: ${big.apdus} APDUs at sim --max-block 1024, ${small.apdus} at 255`);
    expect(big.apdus).toBeLessThanOrEqual(30);
    expect(small.apdus).toBeGreaterThan(90);
    for (const scp of ["2", "3"]) checkScenario(result.domains[scp]!);
  },
  360_000,
);
