/**
 * Run inside a private pcscd namespace (tests/pcsc/isolated.ts): `webcard
 * sim` in the vpcd reader under SCP02 and SCP03, then
 * 1. channel-checks.ts through PC/SC (a session per logical channel, C0-CF/E0-EF),
 * 2. the CLI with --channel: install --via gp on channel 2, list on channel 12,
 *    apdu on channel 3, and a channel that is already open refused in one line.
 * Prints one JSON object last (tests/pcsc/scenarios/run.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { scenario } from "../pcsc/scenarios/run.ts";
import { BUN, ROOT } from "../pcsc/isolated.ts";
import { connectReader } from "../../src/host/pcsc/connect.ts";
import { channelIsolation } from "./channel-checks.ts";
import { webcard } from "../harness/cli.ts";

const CLI = join(ROOT, "src/cli.ts");
const HELLO = resolve(ROOT, "../shared/fixtures/cap/kaoh_helloworld.cap");


await scenario(async (pcscd) => {
  const reader = pcscd.readers[0]!;
  const dir = mkdtempSync(join(tmpdir(), "webcard-channels-pcsc-"));
  const out: Record<string, unknown> = {};
  try {
    for (const scp of [2, 3] as const) {
      const sim = Bun.spawn([BUN, CLI, "sim", "--vpcd", `127.0.0.1:${reader.port}`, "--state", join(dir, `card${scp}.sqlite`), "--reset", "--scp", `0${scp}`, "--no-link"], {
        stdout: "ignore",
        stderr: "ignore",
      });
      try {
        let up = false;
        for (let i = 0; i < 100 && !up; i++) {
          up = webcard(["info", "-r", reader.name]).code === 0;
          if (!up) await Bun.sleep(100);
        }
        if (!up) throw new Error(`sim --scp 0${scp} did not come up in the reader`);
        const conn = await connectReader({ reader: reader.name });
        let isolation;
        try {
          isolation = await channelIsolation(conn, scp);
        } finally {
          await conn.close();
        }
        const r = ["-r", reader.name];
        const install = webcard(["install", HELLO, "--via", "gp", "--channel", "2", "--json", ...r]);
        const list = webcard(["list", "--channel", "12", "--json", ...r]);
        const apdu = webcard(["apdu", "--channel", "3", "--trace", "80CA006600", ...r]);
        out[scp] = {
          isolation,
          install: { code: install.code, stderr: install.stderr.slice(0, 300) },
          list: { code: list.code, aids: list.code === 0 ? (JSON.parse(list.stdout).apps as { aid: string }[]).map((a) => a.aid) : list.stderr.slice(0, 300) },
          apdu: { code: apdu.code, stdout: apdu.stdout, trace: apdu.stderr },
        };
      } finally {
        sim.kill("SIGTERM");
        await sim.exited;
      }
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
