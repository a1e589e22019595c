/**
 * End to end in Debian's Chromium: `webcard ui --sim` on a card with SCP11
 * keys in S16 mode; the key form's SCP11a choice with the OCE's key and
 * certificate (and the CA key) chosen as files, S16 ticked: fingerprints
 * come back, the file fields are emptied, no key reaches the page, and the
 * registry is read through SCP11a. Then SCP11b with no file at all.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { CURVES, ecKeyPem, generateEcKey } from "../../src/stack/gp/scp11/curves.ts";
import { fingerprint } from "../../src/stack/gp/scp11/fingerprint.ts";
import { generateOce } from "../../src/stack/gp/scp11/oce.ts";
import { CHROMIUM, launchBrowser, startUi, type RunningUi } from "./browser.ts";

const hasChromium = existsSync(CHROMIUM);
const SIM = "Simulated card (webcard)";
const ca = generateEcKey(CURVES["P-256"]);
const oce = generateOce({ ca });

let ui: RunningUi;
let browser: { context: BrowserContext; close(): Promise<void> };
let page: Page;
let dir: string;
const files = { oceKey: "", oceCert: "", caKey: "" };

beforeAll(async () => {
  if (!hasChromium) return;
  dir = mkdtempSync(join(tmpdir(), "webcard-ui-scp11-"));
  const state = join(dir, "card.sqlite");
  createSimulatedCard({ statePath: state, scp11: { curve: CURVES["P-256"], variants: ["a", "b", "c"], ca, macLength: 16 } }).close();
  files.oceKey = join(dir, "oce-key.pem");
  files.oceCert = join(dir, "oce-cert.gp");
  files.caKey = join(dir, "ca.pem");
  writeFileSync(files.oceKey, ecKeyPem(oce.key), { mode: 0o600 });
  writeFileSync(files.oceCert, oce.certificate);
  writeFileSync(files.caKey, ecKeyPem(ca), { mode: 0o600 });
  ui = await startUi(["--sim", state]);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(ui.url);
  await page.getByRole("link", { name: SIM }).click();
  await page.locator("#registry").waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await ui?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

test.if(hasChromium)("SCP11a with the OCE's files and S16: fingerprints shown, files cleared, registry read through SCP11a", async () => {
  await page.selectOption("#scp", "11a");
  await page.setInputFiles("#oce-key", files.oceKey);
  await page.setInputFiles("#oce-cert", files.oceCert);
  await page.setInputFiles("#ca-key", files.caKey);
  await page.check("#s16");
  await page.getByRole("button", { name: "Use these keys" }).click();
  await page.locator("#keys-result.ok").waitFor();
  const summary = `SCP11a S16, OCE key P-256 ${fingerprint(oce.key.point)} with 1 certificate, card checked against CA ${fingerprint(ca.point)}`;
  expect(await page.locator("#keys-result").textContent()).toBe(`Keys set for this session: ${summary}`);
  expect(await page.locator("#keys-current").textContent()).toBe(summary);
  for (const input of ["#oce-key", "#oce-cert", "#ca-key"]) {
    expect(await page.locator(input).evaluate((el) => (el as HTMLInputElement).files?.length ?? 0)).toBe(0);
  }
  // A new read of the card goes through SCP11a: the trace shows the certificate and MUTUAL AUTHENTICATE.
  await page.getByRole("button", { name: "Clear the trace" }).click();
  await page.reload();
  await page.locator("#registry-apps").waitFor();
  // The read's trace lines may pass before the page follows events; the next page shows the card's trace from the start.
  await page.reload();
  const trace = await page.locator("#trace").textContent();
  expect(trace).toContain("=> 802A01");
  expect(trace).not.toContain("=> 8050");
  const html = await page.content();
  expect(html).not.toContain(ecKeyPem(oce.key).split("\n")[1]!);
  expect(html).toContain(summary);
}, 30_000);

test.if(hasChromium)("SCP11b needs no file and no key", async () => {
  await page.selectOption("#scp", "11b");
  await page.check("#s16");
  await page.getByRole("button", { name: "Use these keys" }).click();
  await page.locator("#keys-result.ok").waitFor();
  expect(await page.locator("#keys-result").textContent()).toBe("Keys set for this session: SCP11b S16, no key of ours, card key not verified (no CA key)");
}, 30_000);

test.if(hasChromium)("SCP11c without its files says what is missing, in one line", async () => {
  await page.selectOption("#scp", "11c");
  await page.getByRole("button", { name: "Use these keys" }).click();
  await page.locator("#keys-result.error").waitFor();
  expect(await page.locator("#keys-result").textContent()).toBe("SCP11c needs the OCE's private key (PEM) and its certificate: choose both files");
}, 30_000);
