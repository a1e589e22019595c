/**
 * Every fixture CAP installs, lists and deletes on the simulated card,
 * in-process, under SCP02 and SCP03 with C-MAC and with encryption; the
 * pysim CAP is refused with a one-line reason naming the missing import.
 */
import { describe, test, expect } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { withIsoResponses } from "../../src/stack/transport/get-response.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { toHex } from "../../src/stack/bytes.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { installViaGp } from "../../src/host/gp/install.ts";
import { list } from "../../src/host/gp/registry.ts";
import { deleteAid } from "../../src/host/gp/manage.ts";

const FIXTURES = resolve(import.meta.dir, "../../../shared/fixtures/cap");
const INSTALLABLE = [
  "gppro_Empty_0102030405_2.2.1.cap",
  "kaoh_helloworld.cap",
  "jcalgtest_AlgTest_v1.7_supportOnly_jc212.cap",
  "jcalgtest_AlgTest_v1.7.4_jc222.cap",
  "omapi_T1_omapitest4.cap",
];
const CHANNELS = [
  { scp: 2, level: "mac", blockSize: 247 },
  { scp: 2, level: "enc", blockSize: 239 },
  { scp: 3, level: "mac", blockSize: 247 },
  { scp: 3, level: "enc", blockSize: 239 },
] as const;

function cap(name: string) {
  return parseLoadFile(readFileSync(resolve(FIXTURES, name)), name);
}

async function sessionOn(scp: 2 | 3, level: "mac" | "enc") {
  const card = createSimulatedCard({ scp });
  const session = await openGpSession(withIsoResponses(inProcessTransport(card)), { keys: defaultKeys(), scp, level });
  return { card, session };
}

describe.each(CHANNELS)("SCP0$scp $level", ({ scp, level, blockSize }) => {
  test.each(INSTALLABLE)("%s installs, lists and deletes", async (name) => {
    const file = cap(name);
    const { card, session } = await sessionOn(scp, level);
    try {
      expect(session.blockSize).toBe(blockSize);
      const result = await installViaGp(session, file);
      const lfdbWithHeader = file.lfdb.length + (file.lfdb.length < 128 ? 2 : file.lfdb.length < 256 ? 3 : 4);
      expect(result.load.bytes).toBe(lfdbWithHeader);
      expect(result.load.blocks).toBe(Math.ceil(lfdbWithHeader / blockSize));

      const after = await list(session);
      const apps = after.apps.map((a) => toHex(a.aid));
      for (const a of file.applets) expect(apps).toContain(toHex(a.aid));
      const pkg = after.loadFiles.find((f) => toHex(f.aid) === toHex(file.packageAid));
      expect(pkg?.modules.map(toHex).sort()).toEqual(file.applets.map((a) => toHex(a.aid)).sort());
      expect(after.apps.every((a) => a.lifecycle === 0x07)).toBe(true);

      await deleteAid(session, file.packageAid, { force: true });
      const gone = await list(session);
      expect(gone.apps).toEqual([]);
      expect(gone.loadFiles.some((f) => toHex(f.aid) === toHex(file.packageAid))).toBe(false);
    } finally {
      card.close();
    }
  });

  test("pysim_test_javacard.cap is refused: the card lacks the SIM toolkit package", async () => {
    const { card, session } = await sessionOn(scp, level);
    try {
      const refused = installViaGp(session, cap("pysim_test_javacard.cap"));
      await expect(refused).rejects.toThrow(
        "LOAD refused with 6A80: the card lacks imported package A0000000090003FFFFFFFF8910710002 2.6",
      );
      const after = await list(session);
      expect(after.apps).toEqual([]);
      expect(after.loadFiles.some((f) => toHex(f.aid) === "D07002CA44")).toBe(false);
    } finally {
      card.close();
    }
  });
});
