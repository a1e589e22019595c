/**
 * A card that stops answering in the middle of each path: after N commands
 * the transport never answers, and the reader's time limit turns that into
 * a TransportError of kind "timeout" (as src/host/pcsc does with its
 * per-command limit). The install must fail with that timeout (not hang, not
 * another error), and nothing may stay locked: the next operation on a fresh
 * session to the same card works, and in the dashboard the card's lock is
 * released and the next request is served.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import type { SimulatedCard } from "../../src/card/sim.ts";
import { TransportError } from "../../src/stack/errors.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";
import { withIsoResponses } from "../../src/stack/transport/get-response.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { deleteAid } from "../../src/host/gp/manage.ts";
import { createDashboard } from "../../src/web/app.ts";
import type { DashboardDeps } from "../../src/web/deps.ts";
import { gpOps } from "../../src/web/gp-ops.ts";
import { cookieName } from "../../src/web/security.ts";
import { Counts, LONG, SEED, describeError, packageState, rng } from "./common.ts";
import { CAP_DIR, KEYS, PATHS, counting, fixtureCap, installOn, needsLink, type PathName } from "./paths.ts";

const TIME_LIMIT_MS = 20;
const counts = new Counts("stall");
afterAll(() => counts.print());

/** After `after` commands the card never answers; the reader gives up after TIME_LIMIT_MS. */
function stalling(inner: Transport, after: number, onStall?: () => void): Transport {
  let n = 0;
  return {
    name: "stalling",
    ...(inner.extendedLength === undefined ? {} : { extendedLength: inner.extendedLength }),
    async transmit(command) {
      if (n++ < after) return inner.transmit(command);
      onStall?.();
      await Bun.sleep(TIME_LIMIT_MS);
      throw new TransportError("timeout", `The card did not answer within ${TIME_LIMIT_MS} ms`);
    },
  };
}

/** The timeout somewhere in the error's cause chain. */
function isTimeout(e: unknown): boolean {
  for (let c = e, i = 0; c && i < 10; c = (c as Error).cause, i++) {
    if (c instanceof TransportError && c.kind === "timeout") return true;
  }
  return /did not answer within/.test(String((e as Error)?.message));
}

const transportTo = (card: SimulatedCard, path: PathName) => inProcessTransport(card, { extendedLength: path !== "web-short" });

const CAP = fixtureCap(LONG ? "jcalgtest_AlgTest_v1.7_supportOnly_jc212.cap" : "kaoh_helloworld.cap");

for (const path of PATHS) {
  test(`${path}: the card stops answering after N commands`, async () => {
    const probe = createWebCard({ link: needsLink(path) });
    const t = counting(transportTo(probe, path));
    await installOn(path, t, CAP);
    probe.close();
    const r = rng(SEED ^ path.length);
    const cuts = LONG ? [...Array(t.commands).keys()] : [...new Set([0, 1, t.commands - 1, r.int(t.commands), r.int(t.commands)])];
    for (const after of cuts) {
      const card = createWebCard({ link: needsLink(path) });
      try {
        const outcome = await installOn(path, counting(stalling(transportTo(card, path), after)), CAP).then(() => undefined, (e: unknown) => e);
        if (outcome === undefined) throw new Error("the install completed although the card stopped answering");
        if (!isTimeout(outcome)) throw new Error(`not the timeout: ${describeError(outcome)}`);
        // The reader reconnects (card reset); a fresh session must work and the install go through.
        card.reset();
        const state = await packageState(transportTo(card, path), CAP.file);
        if (state.state === "inconsistent") throw new Error(state.detail);
        if (state.state !== "absent") await deleteAid(await openGpSession(transportTo(card, path), KEYS()), CAP.file.packageAid, { force: true });
        await installOn(path, counting(transportTo(card, path)), CAP);
        counts.pass();
      } catch (e) {
        counts.fail(`${path}, stalled after ${after} commands: ${describeError(e)}`);
      } finally {
        card.close();
      }
    }
    expect(counts.failures).toEqual([]);
  }, LONG ? 300_000 : 30_000);
}

test("dashboard: an install on a card that stops answering ends with the timeout and frees the card", async () => {
  const PORT = 47198;
  const NAME = "Simulated card";
  for (const via of ["gp", "web"] as const) {
    for (const after of LONG ? [0, 3, 6, 9, 12] : [4]) {
      const card = createWebCard();
      let opens = 0;
      let stalled = false;
      const deps: DashboardDeps = {
        listReaders: async () => [{ name: NAME, cardPresent: true, atr: "3B80800101", simulated: true }],
        async *monitor() {},
        async openCard() {
          const inner = inProcessTransport(card);
          // Only the first operation meets the stalled card; the next one gets it back (reset, as on reconnect).
          const t = withIsoResponses(opens++ === 0 ? stalling(inner, after, () => (stalled = true)) : (card.reset(), inner));
          return { ...t, transmit: t.transmit, close: async () => t.close?.() };
        },
        ops: gpOps(),
      };
      const dash = createDashboard(deps, { port: PORT });
      await dash.state.watch.refresh();
      const req = (path: string, init: RequestInit = {}) => {
        const headers = new Headers(init.headers);
        headers.set("host", `127.0.0.1:${PORT}`);
        headers.set("cookie", `${cookieName(PORT)}=${dash.token}`);
        headers.set("x-csrf-token", dash.csrf);
        return Promise.resolve(dash.app.request(`http://127.0.0.1:${PORT}${path}`, { ...init, headers }));
      };
      const what = `dashboard via ${via}, stalled after ${after}`;
      try {
        const fd = new FormData();
        fd.append("cap", new File([readFileSync(`${CAP_DIR}/kaoh_helloworld.cap`)], "kaoh_helloworld.cap"));
        fd.append("via", via);
        fd.append("instances", JSON.stringify([{ module: "D0D1D2D3D4D50101", instance: "D0D1D2D3D4D50101" }]));
        const started = await req(`/api/cards/${encodeURIComponent(NAME)}/install`, { method: "POST", body: fd });
        const { op } = (await started.json()) as { op: string };
        if (started.status !== 202) throw new Error(`install answered ${started.status}`);
        let result: { ok: boolean; message: string } | null = null;
        for (let i = 0; i < 500 && !result; i++) {
          await Bun.sleep(10);
          result = ((await (await req(`/api/ops/${op}`)).json()) as { result: { ok: boolean; message: string } | null }).result;
        }
        if (!result) throw new Error("the install never ended");
        // A cut beyond the operation's last command: nothing stalled, nothing to check.
        if (!stalled && result.ok) continue;
        if (result.ok || !/did not answer within|time/i.test(result.message)) throw new Error(`ended with: ${JSON.stringify(result)}`);
        if (dash.state.locks.holder(NAME) !== undefined) throw new Error(`the card is still locked by ${dash.state.locks.holder(NAME)}`);
        const next = await req(`/api/cards/${encodeURIComponent(NAME)}`);
        if (next.status !== 200) throw new Error(`the next request answered ${next.status}: ${await next.text()}`);
        counts.pass();
      } catch (e) {
        counts.fail(`${what}: ${describeError(e)}`);
      } finally {
        await dash.close();
        card.close();
      }
    }
  }
  expect(counts.failures).toEqual([]);
}, LONG ? 120_000 : 30_000);
