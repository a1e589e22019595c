/**
 * Logical channels through pcscd + vpcd (a private pcscd, tests/pcsc/isolated.ts),
 * against `webcard sim` under SCP02 and SCP03: the same isolation checks as
 * in-process (channel-checks.ts), and the CLI's --channel.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { BUN, isolationUsable, runIsolated } from "../pcsc/isolated.ts";
import { CHANNEL_ISOLATION } from "./channel-checks.ts";

test.if(isolationUsable)(
  "a session per logical channel and --channel on install, list and apdu, through pcscd + vpcd",
  async () => {
    const r = await runIsolated([BUN, join(import.meta.dir, "channels-pcsc-scenario.ts")], 240_000);
    const last = r.stdout.trim().split("\n").pop() ?? "";
    const result = JSON.parse(last) as Record<string, unknown> & { ok: boolean; error?: string };
    expect(result.error).toBeUndefined();
    for (const scp of ["2", "3"]) {
      const s = result[scp] as {
        isolation: unknown;
        install: { code: number };
        list: { code: number; aids: string[] };
        apdu: { code: number; stdout: string; trace: string };
      };
      expect(s.isolation).toEqual(CHANNEL_ISOLATION);
      expect(s.install.code).toBe(0);
      expect(s.list).toEqual({ code: 0, aids: ["D0D1D2D3D4D50101"] });
      expect(s.apdu.code).toBe(0);
      // The trace shows the bytes as sent: MANAGE CHANNEL open of 3, GET DATA with CLA 83, the close.
      expect(s.apdu.trace).toContain("=> 00700003");
      expect(s.apdu.trace).toContain("=> 83CA006600");
      expect(s.apdu.trace).toContain("=> 03708003");
      expect(s.apdu.stdout).toMatch(/^< 66.* 9000 \(Success\)$/m);
    }
  },
  300_000,
);
