/**
 * SCP11 through the real PC/SC stack: `webcard sim --scp 11` on a vpcd
 * reader of the shared pcscd, the terminal side in this process through
 * bun:ffi (one process per curve, the fixtures in a loop). Every fixture
 * installs, lists and deletes under SCP11a, 11b and 11c at C-MAC (usage 34)
 * and at full encryption (3C); the CLI refuses a certificate from another
 * CA, an expired one and one with the wrong key usage in one line each,
 * and the card's registry is as it was.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectReader } from "../../src/host/pcsc/connect.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { installViaGp } from "../../src/host/gp/install.ts";
import { deleteAid } from "../../src/host/gp/manage.ts";
import { getStatusAll } from "../../src/host/gp/registry.ts";
import { equal } from "../../src/stack/bytes.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { CURVES, ecKeyPem, generateEcKey, parseEcKeyPem, type CurveName } from "../../src/stack/gp/scp11/curves.ts";
import { generateOce } from "../../src/stack/gp/scp11/oce.ts";
import type { Scp11Variant } from "../../src/stack/gp/scp11/handshake.ts";
import { claimReader, pcscUsable } from "../harness/pcscd.ts";
import { webcard } from "../harness/cli.ts";
import { startSim } from "../card/sim-process.ts";
import { fixture, FIXTURE_DIR, FIXTURES, PYSIM } from "../card/fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-scp11-vpcd-"));

/** Until `webcard info` answers from the reader: vpcd shows a new card only after pcscd's next poll and power-up. */
async function ready(reader: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (webcard(["info", "-r", reader]).code === 0) return;
    await Bun.sleep(100);
  }
  throw new Error(`No card answered in ${reader} within 15 s`);
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VARIANTS: Scp11Variant[] = ["a", "b", "c"];
const LEVELS = ["mac", "enc"] as const;
// pysim's applet imports the SIM toolkit, which this card does not have: refused with or without SCP11.
const INSTALLABLE = FIXTURES.filter((f) => f !== PYSIM);

describe.each(["P-256", "P-384"] as CurveName[])("SCP11 %s through pcscd + vpcd", (curve) => {
  test.if(pcscUsable)(
    "every fixture installs, lists and deletes under 11a, 11b and 11c, at C-MAC and at full encryption",
    async () => {
      const reader = await claimReader();
      const state = join(dir, `card-${curve}.sqlite`);
      const sim = await startSim(reader.port, ["--state", state, "--reset", "--scp", "11", "--curve", curve, "--no-link"]);
      try {
        expect(sim.line).toMatch(new RegExp(`SCP11 11a/11b/11c key 01 ${curve} S8 SHA256:[0-9A-F]{16}, CA SHA256:[0-9A-F]{16}`));
        await ready(reader.name);
        const ca = parseEcKeyPem(readFileSync(`${state}.scp11-ca.pem`, "utf8"), "CA key");
        const oce = generateOce({ ca: ca as typeof ca & { d: Uint8Array } });
        const rounds: string[] = [];
        for (const variant of VARIANTS) {
          for (const level of LEVELS) {
            const transport = await connectReader({ reader: reader.name });
            try {
              const session = await openGpSession(transport, {
                keys: defaultKeys("AES"),
                scp11: { variant, level, ca, ...(variant === "b" ? {} : { oce: { key: oce.key, certificates: [oce.certificate] } }) },
              });
              expect(session.scp).toBe(`11${variant}`);
              for (const name of INSTALLABLE) {
                const cap = fixture(name);
                const r = await installViaGp(session, cap);
                expect(r.installed.length).toBe(cap.applets.length);
                const files = await getStatusAll(session.channel, "load-files", cap.packageAid);
                expect(files.some((f) => equal(f.aid, cap.packageAid))).toBe(true);
                await deleteAid(session, cap.packageAid, { force: true });
                const after = await getStatusAll(session.channel, "load-files", cap.packageAid).catch(() => []);
                expect(after.some((f) => equal(f.aid, cap.packageAid))).toBe(false);
                rounds.push(`11${variant} ${level} ${name}`);
              }
            } finally {
              await transport.close();
            }
          }
        }
        expect(rounds).toHaveLength(VARIANTS.length * LEVELS.length * INSTALLABLE.length);
      } finally {
        sim.proc.kill("SIGTERM");
        await sim.proc.exited;
        reader.release();
      }
    },
    300_000,
  );

  test.if(pcscUsable)(
    "the CLI: install under 11a with encryption; another CA, an expired certificate and a wrong key usage refused in one line, registry unchanged",
    async () => {
      const reader = await claimReader();
      const state = join(dir, `cli-${curve}.sqlite`);
      const sim = await startSim(reader.port, ["--state", state, "--reset", "--scp", "11a", "--curve", curve, "--no-link"]);
      try {
        await ready(reader.name);
        const caFile = `${state}.scp11-ca.pem`;
        const gen = (out: string, extra: string[] = [], ca = caFile) => {
          const r = webcard(["keys", "generate-oce", "--ca-key", ca, "--out", join(dir, `${curve}-${out}`), ...extra]);
          expect(r.stderr).toBe("");
          expect(r.code).toBe(0);
          expect(r.stdout).not.toContain("PRIVATE");
          return ["--oce-key", join(dir, `${curve}-${out}`, "oce-key.pem"), "--oce-cert", join(dir, `${curve}-${out}`, "oce-cert.gp")];
        };
        const good = gen("good");
        const base = ["-r", reader.name, "--scp", "11a", "--ca-key", caFile];
        const cap = join(FIXTURE_DIR, "kaoh_helloworld.cap");
        const installed = webcard(["install", cap, "--via", "gp", "--mode", "enc", ...base, ...good]);
        expect(installed.stderr).toBe("");
        expect(installed.code).toBe(0);
        const listing = () => webcard(["list", ...base, ...good]);
        const before = listing();
        expect(before.code).toBe(0);
        expect(before.stdout).toContain("SCP11a");
        // A CA the card does not trust.
        const otherCa = join(dir, `${curve}-other-ca.pem`);
        writeFileSync(otherCa, ecKeyPem(generateEcKey(CURVES[curve])));
        const cases: [string, string[], RegExp][] = [
          ["another CA", gen("other", [], otherCa), /not by the trusted CA/],
          ["expired", gen("expired", ["--days=-2"]), /expired on/],
          ["wrong key usage", gen("usage", ["--key-usage", "82"]), /key usage 82/],
        ];
        for (const [what, files, cardSays] of cases) {
          const r = webcard(["delete", "A000000001", "--force", ...base, ...files]);
          expect(r.code, what).toBe(1);
          expect(r.stderr.trim().split("\n"), what).toHaveLength(1);
          expect(r.stderr, what).toContain("PERFORM SECURITY OPERATION failed with 6A80");
          // The sim's stderr is read as it comes: give its log line a moment to arrive.
          for (let i = 0; i < 50 && !cardSays.test(sim.stderr()); i++) await Bun.sleep(100);
          expect(sim.stderr(), what).toMatch(cardSays);
        }
        expect(listing().stdout).toBe(before.stdout);
      } finally {
        sim.proc.kill("SIGTERM");
        await sim.proc.exited;
        reader.release();
      }
    },
    120_000,
  );
});

