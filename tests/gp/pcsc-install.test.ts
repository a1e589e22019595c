/**
 * Install, list and delete through the real PC/SC stack: a `webcard sim`
 * process in a vpcd reader of a private pcscd (its own namespace, see
 * tests/pcsc/isolated.ts for why the shared pcscd is not used), driven by
 * `webcard install -r <reader>` as a user would, under SCP02 and SCP03.
 */
import { describe, test, expect } from "bun:test";
import { join } from "node:path";
import { isolationUsable, runIsolated, BUN } from "../pcsc/isolated.ts";

const APPLETS: Record<string, string[]> = {
  "gppro_Empty_0102030405_2.2.1.cap": ["0102030405060708"],
  "kaoh_helloworld.cap": ["D0D1D2D3D4D50101"],
  "jcalgtest_AlgTest_v1.7_supportOnly_jc212.cap": ["4A43416C675465737431"],
  "jcalgtest_AlgTest_v1.7.4_jc222.cap": ["4A43416C675465737431"],
  "omapi_T1_omapitest4.cap": ["A000000600020001EE05150101010101"],
};

interface Run {
  file: string;
  mode: "mac" | "enc";
  install: { code: number; stderr: string; out: { channel: Record<string, unknown>; installed: { instance: string }[] } };
  listed: { apps: { aid: string }[]; loadFiles: { aid: string }[] };
  deleted: string;
  after: { apps: { aid: string }[] };
}

async function scenario(scp: string) {
  const r = await runIsolated([BUN, join(import.meta.dir, "pcsc-scenario.ts"), scp], 240_000);
  const last = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as { ok: boolean; error?: string; ready: boolean; runs: Run[]; pysim: { code: number; stderr: string } };
}

describe.each(["02", "03"])("through pcscd + vpcd, SCP%s", (scp) => {
  test.if(isolationUsable)(
    "every fixture installs, lists and deletes at mac and enc; pysim is refused in one line",
    async () => {
      const result = await scenario(scp);
      expect(result.error).toBeUndefined();
      expect(result.ready).toBe(true);
      expect(result.runs).toHaveLength(10);
      for (const run of result.runs) {
        const where = `${run.file} ${run.mode}`;
        expect({ where, stderr: run.install.stderr, code: run.install.code }).toEqual({ where, stderr: "", code: 0 });
        expect(run.install.out.channel).toMatchObject({ scp, level: run.mode, blockSize: run.mode === "mac" ? 247 : 239 });
        expect(run.install.out.installed.map((i) => i.instance)).toEqual(APPLETS[run.file]!);
        // The sim also carries its built-in web-card link application.
        expect(run.listed.apps.map((a) => a.aid)).toEqual(expect.arrayContaining(APPLETS[run.file]!));
        expect(run.deleted).toContain("and its related objects");
        const left = run.after.apps.map((a) => a.aid);
        expect(APPLETS[run.file]!.filter((aid) => left.includes(aid))).toEqual([]);
      }
      expect(result.pysim.code).toBe(1);
      expect(result.pysim.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.pysim.stderr).toContain("the card lacks imported package A0000000090003FFFFFFFF8910710002 2.6");
    },
    240_000,
  );
});
