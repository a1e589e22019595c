/**
 * The T=0 quirks through the real PC/SC stack (pcscd + vpcd, in a private
 * namespace: tests/pcsc/isolated.ts): the same commands as
 * tests/gp/quirks-profiles.test.ts runs in-process, against T=0 profiles
 * in a vpcd reader, with the trace showing 61xx then GET RESPONSE, 6Cxx then
 * the command again with its Le; and doctor naming the profile.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { isolationUsable, runIsolated, BUN } from "../pcsc/isolated.ts";
import { shippedProfiles } from "../../src/card/profiles/catalogue.ts";

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}
interface Run {
  info: Out;
  readers: Out;
  extended: Out;
  install: Out;
  list: Out;
  del: Out;
  doctor: Out;
}

const PROFILES = ["sysmo-usim", "jcop4-t0"];

const commands = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("=> ") || l.startsWith("<= "));

describe("doctor through pcscd + vpcd", () => {
  test.if(isolationUsable)(
    "on every profile in a vpcd reader, doctor names that profile",
    async () => {
      const names = shippedProfiles().map((p) => p.name);
      const r = await runIsolated([BUN, join(import.meta.dir, "quirks-pcsc-scenario.ts"), ...names.map((n) => `doctor:${n}`)], 240_000);
      const result = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { ok: boolean; error?: string; runs: Record<string, { info: Out; doctor: Out }> };
      expect(result.error).toBeUndefined();
      for (const name of names) {
        const run = result.runs[name]!;
        expect({ name, info: run.info.code, doctor: run.doctor.code, stderr: run.doctor.stderr }).toEqual({ name, info: 0, doctor: 0, stderr: "" });
        expect({ name, resembles: JSON.parse(run.doctor.stdout).resembles[0].name }).toEqual({ name, resembles: name });
      }
    },
    240_000,
  );
});

describe("T=0 profiles through pcscd + vpcd", () => {
  test.if(isolationUsable)(
    "61xx then GET RESPONSE, 6Cxx then the same command with Le xx, no extended length; install, list, delete; doctor names the profile",
    async () => {
      const r = await runIsolated([BUN, join(import.meta.dir, "quirks-pcsc-scenario.ts"), ...PROFILES], 240_000);
      const result = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { ok: boolean; error?: string; runs: Record<string, Run> };
      expect(result.error).toBeUndefined();
      for (const profile of PROFILES) {
        const run = result.runs[profile]!;
        expect({ profile, info: run.info.code, install: run.install.code, list: run.list.code, del: run.del.code }).toEqual({
          profile,
          info: 0,
          install: 0,
          list: 0,
          del: 0,
        });
        // pcscd reports the protocol the card's ATR offers.
        expect(JSON.parse(run.readers.stdout).some((x: { protocol?: string }) => x.protocol === "T=0")).toBe(true);
        const info = commands(run.info.stderr);
        const cplc = info.indexOf("=> 80CA9F7F00");
        expect(info[cplc + 1]).toMatch(/^<= 6C[0-9A-F]{2} /);
        expect(info[cplc + 2]).toBe(`=> 80CA9F7F${info[cplc + 1]!.slice(5, 7)}`);
        // No extended-length APDUs on T=0: a block size only they could carry is one line, before anything is loaded.
        expect({ code: run.extended.code, stderr: run.extended.stderr.trim() }).toEqual({
          code: 2,
          stderr: "webcard: Block size 1000 does not fit a LOAD command at level mac: use 1 to 247",
        });
        const install = commands(run.install.stderr);
        const init = install.findIndex((l) => l.startsWith("=> 8050"));
        expect(install[init + 1]).toMatch(/^<= 61[0-9A-F]{2} /);
        expect(install[init + 2]).toBe(`=> 00C00000${install[init + 1]!.slice(5, 7)}`);
        expect(run.install.stdout).toContain("Installed applet D0D1D2D3D4D50101");
        expect(JSON.parse(run.list.stdout).apps.map((a: { aid: string }) => a.aid)).toContain("D0D1D2D3D4D50101");
        const doctor = JSON.parse(run.doctor.stdout);
        expect(doctor.atr.protocol).toBe("T=0");
        expect(doctor.resembles[0].name).toBe(profile);
      }
    },
    240_000,
  );
});
