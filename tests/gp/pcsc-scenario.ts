/**
 * Run inside a private pcscd namespace (tests/pcsc/isolated.ts): a `webcard
 * sim` process in the vpcd reader, driven by `webcard install|list|delete -r`
 * for every fixture at mac and enc. Usage: bun pcsc-scenario.ts 02|03.
 * Prints one JSON object last (tests/pcsc/scenarios/run.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { scenario } from "../pcsc/scenarios/run.ts";
import { BUN, ROOT } from "../pcsc/isolated.ts";

const CLI = join(ROOT, "src/cli.ts");
const FIXTURES = resolve(ROOT, "../shared/fixtures/cap");
export const FILES = [
  ["gppro_Empty_0102030405_2.2.1.cap", "0102030405"],
  ["kaoh_helloworld.cap", "D0D1D2D3D4D501"],
  ["jcalgtest_AlgTest_v1.7_supportOnly_jc212.cap", "4A43416C6754657374"],
  ["jcalgtest_AlgTest_v1.7.4_jc222.cap", "4A43416C6754657374"],
  ["omapi_T1_omapitest4.cap", "A000000600020001FF05"],
] as const;

function webcard(args: string[]) {
  const env = { ...process.env };
  delete env.WEBCARD_KEY;
  delete env.GP_KEY;
  const r = Bun.spawnSync([BUN, CLI, ...args], { env, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

await scenario(async (pcscd) => {
  const scp = process.argv[2] ?? "03";
  const reader = pcscd.readers[0]!;
  const dir = mkdtempSync(join(tmpdir(), "webcard-gp-pcsc-"));
  const sim = Bun.spawn([BUN, CLI, "sim", "--vpcd", `127.0.0.1:${reader.port}`, "--state", join(dir, "card.sqlite"), "--scp", scp, "--reset"], {
    stdout: "ignore",
    stderr: "ignore",
  });
  try {
    const r = ["-r", reader.name, "--scp", scp];
    let ready = false;
    for (let i = 0; i < 100 && !ready; i++) {
      ready = webcard(["info", ...r.slice(0, 2)]).code === 0;
      if (!ready) await Bun.sleep(100);
    }
    const runs = [];
    for (const mode of ["mac", "enc"]) {
      for (const [file, pkg] of FILES) {
        const install = webcard(["install", join(FIXTURES, file), "--via", "gp", ...r, "--mode", mode, "--json"]);
        const listed = webcard(["list", ...r, "--mode", mode, "--json"]);
        const del = webcard(["delete", pkg, "--force", ...r, "--mode", mode]);
        const after = webcard(["list", ...r, "--json"]);
        runs.push({
          file,
          mode,
          install: { code: install.code, stderr: install.stderr, out: json(install.stdout) },
          listed: json(listed.stdout),
          deleted: del.stdout + del.stderr,
          after: json(after.stdout),
        });
      }
    }
    const pysim = webcard(["install", join(FIXTURES, "pysim_test_javacard.cap"), "--via", "gp", ...r]);
    return { ready, runs, pysim };
  } finally {
    sim.kill();
    await sim.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
