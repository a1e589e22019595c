/**
 * Through pcscd + vpcd (a private pcscd, tests/pcsc/isolated.ts), under SCP02
 * and SCP03: `card set-perso` writes the CPLC's personalisation fields,
 * `rename-isd` moves the ISD to a new AID (the old one no longer selects, the
 * CPLC and keys stay), and `install --default contact` makes the applet the
 * one a SELECT without AID finds. In-process twins: cplc-perso,
 * rename-isd and default-interface tests.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { BUN, isolationUsable, runIsolated } from "../pcsc/isolated.ts";

const APPLET = "D0D1D2D3D4D50101";
const NEW_ISD = "A0000001515350";
interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

test.if(isolationUsable)(
  "CPLC dates, rename-isd and --default through pcscd + vpcd under SCP02 and SCP03",
  async () => {
    const r = await runIsolated([BUN, join(import.meta.dir, "pcsc-gp-extras-scenario.ts")], 240_000);
    const result = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { error?: string; runs: Record<string, Record<string, Out>> };
    expect(result.error).toBeUndefined();
    for (const scp of ["02", "03"]) {
      const run = result.runs[scp]!;
      for (const step of ["perso", "cplc", "rename", "cplcAfter", "install", "list"]) {
        expect({ scp, step, code: run[step]!.code, stderr: run[step]!.stderr }).toEqual({ scp, step, code: 0, stderr: "" });
      }
      // `apdu` names the reader and ATR on stderr.
      for (const step of ["oldIsd", "selectDefault"]) expect({ scp, step, code: run[step]!.code }).toEqual({ scp, step, code: 0 });
      expect(run.cplc!.stdout.trim().slice(-16)).toBe("4750000012345678");
      expect(JSON.parse(run.rename!.stdout)).toMatchObject({ isd: NEW_ISD, before: "A000000151000000" });
      expect(run.oldIsd!.stdout).toContain("6A82");
      expect(run.cplcAfter!.stdout).toBe(run.cplc!.stdout);
      const list = JSON.parse(run.list!.stdout) as { isd: { aid: string }[]; apps: { aid: string; defaultOn?: string[] }[] };
      expect(list.isd.map((e) => e.aid)).toEqual([NEW_ISD]);
      expect(list.apps.find((a) => a.aid === APPLET)).toMatchObject({ defaultOn: ["contact"] });
      // A SELECT without AID now finds the applet (its FCI), not the ISD.
      expect(run.selectDefault!.stdout).toContain("9000");
      expect(run.selectDefault!.stdout).not.toContain(NEW_ISD);
    }
  },
  300_000,
);
