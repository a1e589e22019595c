/**
 * The dashboard's secure channel choice includes SCP11b, which needs no key:
 * the card's registry is read through SCP11b on an in-process simulated card
 * that has SCP11 keys, and only "none (SCP11b)" comes back instead of KCVs.
 */
import { afterAll, expect, test } from "bun:test";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { createDashboard } from "../../src/web/app.ts";
import { pageRequests } from "./helpers.ts";
import { CURVES, generateEcKey } from "../../src/stack/gp/scp11/curves.ts";
import { simCardDeps } from "../harness/dashboard.ts";

const PORT = 47131;
const NAME = "SCP11 card";
const card = createSimulatedCard({ scp11: { curve: CURVES["P-256"], variants: ["b"], ca: generateEcKey(CURVES["P-256"]) } });
afterAll(() => card.close());
const dash = createDashboard(simCardDeps(card, NAME), { port: PORT });
const R = encodeURIComponent(NAME);

const req = pageRequests(dash, PORT);

test("SCP11b is offered, needs no key, and the registry is read through it", async () => {
  expect(await (await req(`/cards/${R}`)).text()).toContain('<option value="11b">');
  const set = await req(`/api/cards/${R}/keys`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ scp: "11b" }) });
  expect(set.status).toBe(200);
  expect(((await set.json()) as { kcv: string }).kcv).toBe("ENC none (SCP11b), MAC none (SCP11b), DEK none (SCP11b)");
  dash.state.trace.clear(NAME);
  const card = await (await req(`/api/cards/${R}`)).text();
  expect(card).toContain("A000000151000000");
  const trace = dash.state.trace.lines(NAME).join("\n");
  expect(trace).toContain("=> 80CABF21"); // the card's certificate store
  expect(trace).toContain("=> 808801"); // INTERNAL AUTHENTICATE
  expect(trace).not.toContain("=> 8050"); // no INITIALIZE UPDATE
});
