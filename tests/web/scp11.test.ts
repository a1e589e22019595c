/**
 * The dashboard's secure channel choice includes SCP11b, which needs no key,
 * and SCP11a/11c with the OCE's key and certificate uploaded from the key
 * form: the card's registry is read through them on an in-process simulated
 * card that has SCP11 keys, and only fingerprints come back, never a key.
 */
import { afterAll, expect, test } from "bun:test";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { createDashboard } from "../../src/web/app.ts";
import { pageRequests } from "./helpers.ts";
import { CURVES, ecKeyPem, generateEcKey } from "../../src/stack/gp/scp11/curves.ts";
import { generateOce } from "../../src/stack/gp/scp11/oce.ts";
import { fingerprint } from "../../src/stack/gp/scp11/fingerprint.ts";
import { simCardDeps } from "../harness/dashboard.ts";

const PORT = 47131;
const NAME = "SCP11 card";
const ca = generateEcKey(CURVES["P-256"]);
const card = createSimulatedCard({ scp11: { curve: CURVES["P-256"], variants: ["a", "b", "c"], ca, macLength: 16 } });
afterAll(() => card.close());
const dash = createDashboard(simCardDeps(card, NAME), { port: PORT });
const R = encodeURIComponent(NAME);

const req = pageRequests(dash, PORT);

test("SCP11b is offered, needs no key, and the registry is read through it", async () => {
  expect(await (await req(`/cards/${R}`)).text()).toContain('<option value="11b">');
  const set = await req(`/api/cards/${R}/keys`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ scp: "11b", s16: "on" }) });
  expect(set.status).toBe(200);
  expect(((await set.json()) as { kcv: string }).kcv).toBe("SCP11b S16, no key of ours, card key not verified (no CA key)");
  dash.state.trace.clear(NAME);
  const card = await (await req(`/api/cards/${R}`)).text();
  expect(card).toContain("A000000151000000");
  const trace = dash.state.trace.lines(NAME).join("\n");
  expect(trace).toContain("=> 80CABF21"); // the card's certificate store
  expect(trace).toContain("=> 808801"); // INTERNAL AUTHENTICATE
  expect(trace).not.toContain("=> 8050"); // no INITIALIZE UPDATE
});

const setKeys = (body: Record<string, string>) =>
  req(`/api/cards/${R}/keys`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

test.each(["11a", "11c"])("SCP%s with the OCE's uploaded key and certificate: fingerprints back, never the key; the registry read through it", async (scp) => {
  const oce = generateOce({ ca });
  const pem = ecKeyPem(oce.key);
  const set = await setKeys({ scp, s16: "on", oceKey: pem, oceCert: Buffer.from(oce.certificate).toString("base64"), caKey: ecKeyPem(ca) });
  const text = await set.text();
  expect(set.status).toBe(200);
  expect(JSON.parse(text).kcv).toBe(`SCP${scp} S16, OCE key P-256 ${fingerprint(oce.key.point)} with 1 certificate, card checked against CA ${fingerprint(ca.point)}`);
  const secret = pem.split("\n")[1]!;
  expect(text).not.toContain(secret);
  expect(await (await req(`/cards/${R}`)).text()).not.toContain(secret);
  dash.state.trace.clear(NAME);
  expect(await (await req(`/api/cards/${R}`)).text()).toContain("A000000151000000");
  const trace = dash.state.trace.lines(NAME).join("\n");
  expect(trace).toContain("=> 802A01"); // PERFORM SECURITY OPERATION: the OCE certificate
  expect(trace).toContain("=> 8082"); // MUTUAL AUTHENTICATE
});

test.each([
  [{ scp: "11a" }, "SCP11a needs the OCE's private key (PEM) and its certificate: choose both files"],
  [{ scp: "11b", oceKey: "x" }, "The OCE key file"],
  [{ scp: "11a", oceKey: "not a key", oceCert: "fyEA" }, "The OCE"],
  [{ scp: "11c", oceKey: ecKeyPem(generateEcKey(CURVES["P-256"])), oceCert: "!!" }, "The OCE certificate file is not a GP certificate"],
  [{ scp: "11d" }, "Unknown secure channel '11d'"],
])("a bad SCP11 key form is refused in one line: %p", async (body, message) => {
  const r = await setKeys(body as Record<string, string>);
  expect(r.status).toBe(400);
  const error = ((await r.json()) as { error: string }).error;
  expect(error).toContain(message);
  expect(error).not.toContain("\n");
});
