/**
 * Run inside a private pcscd namespace (tests/pcsc/isolated.ts): two `webcard
 * sim` processes in the two vpcd readers, a Java Card 3.0.5 card and a 3.1
 * card, and CAP 2.1, 2.2 and 2.3 compact files the builder writes, and two
 * extended files (two packages; one package over 64 KB in Method blocks),
 * installed by every path (`webcard install -r --via gp|web|bridge`). The
 * cards have room for the large file (--memory) and take 1 KB LOAD blocks
 * (--max-block, extended APDUs through pcscd + vpcd), so that on the 3.0.5
 * card the format is what refuses it. Prints one JSON object last
 * (tests/pcsc/scenarios/run.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scenario } from "../pcsc/scenarios/run.ts";
import { BUN, ROOT } from "../pcsc/isolated.ts";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { writeExtendedCap } from "../../src/stack/cap/writer/extended.ts";
import { fromHex } from "../../src/stack/bytes.ts";

const CLI = join(ROOT, "src/cli.ts");
const FORMATS = ["2.1", "2.2", "2.3"] as const;
const PATHS = ["gp", "web", "bridge"] as const;

function webcard(args: string[]) {
  const env = { ...process.env };
  delete env.WEBCARD_KEY;
  delete env.GP_KEY;
  const r = Bun.spawnSync([BUN, CLI, ...args], { env, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

await scenario(async (pcscd) => {
  const dir = mkdtempSync(join(tmpdir(), "webcard-formats-pcsc-"));
  const cards = [
    { release: "3.0.5", reader: pcscd.readers[0]! },
    { release: "3.1", reader: pcscd.readers[1]! },
  ];
  const sims = cards.map((c) =>
    Bun.spawn([BUN, CLI, "sim", "--vpcd", `127.0.0.1:${c.reader.port}`, "--state", join(dir, `${c.release}.sqlite`), "--java-card", c.release, "--reset", "--memory", "1000000", "--max-block", "1024"], {
      stdout: "ignore",
      stderr: "ignore",
    }),
  );
  try {
    const files = FORMATS.map((format, i) => {
      const file = join(dir, `f${i}.cap`);
      const pkg = `A00000064723200${i}`;
      writeFileSync(file, writeCap({ packageAid: fromHex(pkg), packageName: `org.example.f${i}`, applets: [{ aid: fromHex(`${pkg}01`), className: "F" }], format }));
      return { format: format as string, file, pkg, packages: [pkg], args: [] as string[] };
    });
    // Extended: two packages under one CAP AID; one package whose methods pass 64 KB (Method blocks).
    for (const [i, padding] of [0, 70_000].entries()) {
      const file = join(dir, `x${i}.cap`);
      const cap = `A0000006472330${i}0`;
      const packages = [`A0000006472330${i}1`, `A0000006472330${i}2`].slice(0, padding ? 1 : 2);
      writeFileSync(file, writeExtendedCap({
        capAid: fromHex(cap),
        packages: packages.map((p, k) => ({ packageAid: fromHex(p), packageName: `org.example.x${i}.p${k}`, applets: [{ aid: fromHex(`${p}01`), className: `X${k}` }], padding })),
      }));
      // Over 64 KB the LOAD needs blocks above 255 bytes (one-byte P2 numbers at most 256 blocks).
      files.push({ format: padding ? "2.3 extended over 64 KB" : "2.3 extended", file, pkg: cap, packages: [cap, ...packages], args: padding ? ["--block-size", "1000"] : [] });
    }
    let ready = true;
    for (const c of cards) {
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = webcard(["info", "-r", c.reader.name]).code === 0;
        if (!up) await Bun.sleep(100);
      }
      ready &&= up;
    }
    const runs = [];
    for (const c of cards) {
      for (const via of PATHS) {
        for (const f of files) {
          const install = webcard(["install", f.file, "--via", via, "-r", c.reader.name, ...f.args]);
          const list = webcard(["list", "-r", c.reader.name, "--json"]);
          let listed: string[] = [];
          try {
            listed = (JSON.parse(list.stdout) as { loadFiles: { aid: string }[] }).loadFiles.map((l) => l.aid);
          } catch {
            listed = [`unreadable list: ${list.stderr}`];
          }
          if (install.code === 0) webcard(["delete", f.pkg, "--force", "-r", c.reader.name]);
          runs.push({ release: c.release, via, format: f.format, code: install.code, stderr: install.stderr, onCard: f.packages.every((p) => listed.includes(p)), anyOnCard: f.packages.some((p) => listed.includes(p)) });
        }
      }
    }
    return { ready, runs };
  } finally {
    for (const s of sims) s.kill();
    for (const s of sims) await s.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
