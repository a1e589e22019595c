/** The four steps of a load, end to end in-process: OL over the link into the simulated card, the bridge, and GP. */
import { describe, expect, test } from "bun:test";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { withTrace } from "../../src/stack/transport/trace.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { installViaWeb } from "../../src/host/loader/via-web.ts";
import { installViaBridge } from "../../src/host/loader/via-bridge.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { installViaGp } from "../../src/host/gp/install.ts";
import { ALGTEST, capBytes, capFile, counting, fixtures, registryLines } from "./helpers.ts";

describe("install via the card's web server (in-process)", () => {
  test("AlgTest 22 KB: sessions 1, 2 (opened by the card) and 3, the orders, the registry after", async () => {
    const card = createWebCard();
    const lines: string[] = [];
    const t = withTrace(inProcessTransport(card), (l) => lines.push(l), { maxBytes: 16 });
    const r = await installViaWeb(t, capBytes(ALGTEST), {}, (l) => lines.push(l), { trace: (l) => lines.push(l) });
    const text = lines.join("\n");
    expect(text).toMatch(/session 01 => GET \/loader HTTP\/1\.1/);
    expect(text).toMatch(/session 81 opened by the card: card agent 02 -> terminal agent 01/);
    expect(text).toMatch(/session 81 <= POST \/webcard\/loader-parameters/);
    expect(text).toMatch(/session 02 => POST \/cgi-bin\/load HTTP\/1\.1/);
    expect(text).toMatch(/order: INSTALL \[for load\] 4A43416C6754657374/);
    expect(text).toMatch(/order: LOAD 21870 bytes/);
    expect(text).toMatch(/order: INSTALL \[for install and make selectable\] 4A43416C675465737431/);
    expect(r.steps).toEqual({ loaderStatus: 202, loadStatus: 200 });
    expect(r.exchanges).toBeLessThanOrEqual(12);
    expect(r.exchanges).toBe(2);
    expect(await registryLines(inProcessTransport(card))).toContain("app 4A43416C675465737431 7 0");
  });

  test("short APDUs: within 10% of the GlobalPlatform path's round trips", async () => {
    const web = createWebCard({ linkOptions: { extended: false } });
    const r = await installViaWeb(inProcessTransport(web, { extendedLength: false }), capBytes(ALGTEST), {}, undefined, { short: true });
    const gpCard = createWebCard({ link: false });
    const t = counting(inProcessTransport(gpCard, { extendedLength: false }));
    const session = await openGpSession(t, { keys: defaultKeys("AES"), level: "mac" });
    const before = t.count;
    await installViaGp(session, capFile(ALGTEST));
    const gp = t.count - before;
    console.log(`round trips after authentication, ${ALGTEST}: link short ${r.exchanges}, GP ${gp}`);
    // 91 orders (INSTALL, 89 LOAD blocks, INSTALL) and 2 registry lookups (package, instance).
    expect(gp).toBe(93);
    expect(r.exchanges).toBeLessThanOrEqual(Math.floor(gp * 1.1));
  });

  test.each(fixtures())("%s: web, bridge and GP leave the same registry (or the same refusal)", async (name) => {
    const outcome = async (run: (t: ReturnType<typeof inProcessTransport>) => Promise<unknown>, link: boolean) => {
      const card = createWebCard({ link });
      const t = inProcessTransport(card);
      try {
        await run(t);
        return (await registryLines(inProcessTransport(card))).join("\n");
      } catch (e) {
        return `refused: ${(e as Error).message}`;
      }
    };
    const web = await outcome((t) => installViaWeb(t, capBytes(name)), true);
    const bridge = await outcome((t) => installViaBridge(t, capBytes(name)), false);
    const gp = await outcome(async (t) => installViaGp(await openGpSession(t, { keys: defaultKeys("AES"), level: "mac" }), capFile(name)), false);
    expect(web).toBe(gp);
    expect(bridge).toBe(gp);
    if (name.startsWith("pysim")) expect(gp).toMatch(/^refused: LOAD refused with 6A80: the card lacks imported package A0000000090003FFFFFFFF8910710002/);
  });
});
