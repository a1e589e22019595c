/**
 * Through pcscd + vpcd, as on a card: `webcard sim` on a vpcd reader,
 * `webcard install` loads and installs kaoh_helloworld through the reader,
 * then opensc-tool and pyscard (when installed) select the applet and send
 * it commands: it answers "Hello World!" to each, as its source says.
 */
import { test, expect, afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { claimReader, pcscUsable } from "../harness/pcscd.ts";
import { webcard } from "../harness/cli.ts";
import { startSim, tool, waitForCard } from "../card/sim-process.ts";
import { FIXTURE_DIR } from "../card/fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-jcvm-pcsc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HELLO = "48 65 6C 6C 6F 20 57 6F 72 6C 64 21";

test.if(pcscUsable)("an applet installed by webcard install answers opensc-tool (and pyscard) through pcscd + vpcd", async () => {
  const reader = await claimReader();
  const sim = await startSim(reader.port, ["--state", join(dir, "card.sqlite"), "--reset"]);
  try {
    await waitForCard(reader.name);
    const install = webcard(["install", resolve(FIXTURE_DIR, "kaoh_helloworld.cap"), "--reader", reader.name, "--via", "gp"]);
    expect(install.code).toBe(0);
    const r = await tool(["opensc-tool", "-r", reader.name, "-s", "00A4040008D0D1D2D3D4D50101", "-s", "8010000000"]);
    expect(r.code).toBe(0);
    // opensc-tool prints each response's data in hex, then "SW1=0x90, SW2=0x00".
    const answers = r.out.split("Received").slice(1);
    expect(answers).toHaveLength(2);
    for (const a of answers) {
      expect(a.toUpperCase()).toContain(HELLO);
      expect(a).toContain("SW1=0x90, SW2=0x00");
    }
    const python = ["/usr/bin/python3", "python3"].find((p) => {
      try {
        return Bun.spawnSync([p, "-c", "import smartcard.System"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
      } catch {
        return false;
      }
    });
    if (python) {
      const script = [
        "import sys",
        "from smartcard.System import readers",
        "r = [x for x in readers() if str(x) == sys.argv[1]][0]",
        "c = r.createConnection(); c.connect()",
        "for apdu in ([0,0xA4,4,0,8,0xD0,0xD1,0xD2,0xD3,0xD4,0xD5,1,1], [0x80,0x10,0,0,0]):",
        "    data, sw1, sw2 = c.transmit(apdu)",
        "    print(bytes(data).decode(), '%02X%02X' % (sw1, sw2))",
      ].join("\n");
      const p = await tool([python, "-c", script, reader.name], 20_000);
      expect(p.code).toBe(0);
      expect(p.out.trim().split("\n")).toEqual(["Hello World! 9000", "Hello World! 9000"]);
    }
  } finally {
    sim.proc.kill("SIGTERM");
    await sim.proc.exited;
    reader.release();
  }
}, 90_000);
