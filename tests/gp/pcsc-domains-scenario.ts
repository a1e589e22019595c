/**
 * Run inside a private pcscd namespace (tests/pcsc/isolated.ts): `webcard
 * sim` processes in the vpcd reader, driven through pcscd.
 * 1. The 22 KB fixture installed with `webcard install --via gp --trace`
 *    against `sim --max-block 1024`, then against the default 255: APDUs counted.
 * 2. The technician's security domain scenario (domain-scenario.ts) over
 *    PC/SC under SCP02 and SCP03.
 * Prints one JSON object last (tests/pcsc/scenarios/run.ts). With the
 * argument `installs-only` (bench/max-block.ts) only part 1 runs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { scenario } from "../pcsc/scenarios/run.ts";
import { BUN, ROOT } from "../pcsc/isolated.ts";
import { connectReader } from "../../src/host/pcsc/connect.ts";
import { withIsoResponses } from "../../src/stack/transport/get-response.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { runScenario } from "./domain-scenario.ts";

const CLI = join(ROOT, "src/cli.ts");
const FIXTURES = resolve(ROOT, "../shared/fixtures/cap");
const BIG = join(FIXTURES, "jcalgtest_AlgTest_v1.7.4_jc222.cap");

function webcard(args: string[]) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name === "WEBCARD_KEY" || name.startsWith("GP_KEY")) delete env[name];
  const r = Bun.spawnSync([BUN, CLI, ...args], { env, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

await scenario(async (pcscd) => {
  const reader = pcscd.readers[0]!;
  const dir = mkdtempSync(join(tmpdir(), "webcard-sd-pcsc-"));
  const startSim = async (extra: string[]) => {
    const sim = Bun.spawn([BUN, CLI, "sim", "--vpcd", `127.0.0.1:${reader.port}`, "--state", join(dir, "card.sqlite"), "--reset", ...extra], { stdout: "ignore", stderr: "ignore" });
    for (let i = 0; i < 100; i++) {
      if (webcard(["info", "-r", reader.name]).code === 0) return sim;
      await Bun.sleep(100);
    }
    sim.kill();
    throw new Error(`sim ${extra.join(" ")} did not come up in the reader`);
  };
  const stop = async (sim: ReturnType<typeof Bun.spawn>) => {
    sim.kill("SIGTERM");
    await sim.exited;
  };
  try {
    const installs: Record<string, unknown> = {};
    for (const maxBlock of ["1024", "255"]) {
      const sim = await startSim(["--max-block", maxBlock, "--no-link"]);
      try {
        const r = webcard(["install", BIG, "--via", "gp", "-r", reader.name, "--trace", "--json"]);
        const apdus = r.stderr.split("\n").filter((l) => /^(\[[^\]]*\] )?=> /.test(l.replace(/^\S*trace\S*\s*/, ""))).length;
        installs[maxBlock] = { code: r.code, apdus, out: r.code === 0 ? JSON.parse(r.stdout) : r.stderr.slice(0, 400) };
      } finally {
        await stop(sim);
      }
    }
    if (process.argv.includes("installs-only")) return { installs };
    const cap = parseLoadFile(new Uint8Array(await Bun.file(join(FIXTURES, "kaoh_helloworld.cap")).arrayBuffer()));
    const domains: Record<string, unknown> = {};
    for (const scp of [2, 3] as const) {
      const sim = await startSim(["--scp", `0${scp}`]);
      const conn = await connectReader({ reader: reader.name });
      try {
        domains[scp] = await runScenario(withIsoResponses(conn), scp, cap);
      } finally {
        await conn.close();
        await stop(sim);
      }
    }
    return { installs, domains };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
