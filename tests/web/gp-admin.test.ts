/**
 * The dashboard's GlobalPlatform administration in Debian's Chromium, against
 * `webcard ui --sim`: the security domain hierarchy, create a security domain,
 * STORE DATA, card lock and unlock, each behind the page's confirmation (a
 * cancelled one changes nothing). The card's memory is checked afterwards
 * with the CLI, once the dashboard has let go of the state file.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { CHROMIUM, launchBrowser, startUi, type RunningUi } from "./browser.ts";
import { webcard } from "../harness/cli.ts";

const hasChromium = existsSync(CHROMIUM);
const SIM = "Simulated card (webcard)";
const ISD = "A000000151000000";
const SSD = "A00000015153504101";

let ui: RunningUi | undefined;
let browser: { context: BrowserContext; close(): Promise<void> };
let page: Page;
let dir: string;

beforeAll(async () => {
  if (!hasChromium) return;
  dir = mkdtempSync(join(tmpdir(), "webcard-ui-admin-"));
  ui = await startUi(["--sim", join(dir, "card.sqlite")]);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(ui.url);
  await page.getByRole("link", { name: SIM }).click();
  await page.locator("#domain-tree").waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await ui?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

/** Confirm the dialog after checking its question. */
async function confirm(question: string): Promise<void> {
  const dialog = page.locator("dialog#confirm");
  await dialog.waitFor({ state: "visible" });
  expect(await page.locator("#confirm-text").textContent()).toBe(question);
  await page.getByRole("button", { name: "Confirm" }).click();
}

test.if(hasChromium)("the hierarchy has the ISD at its root with the link application under it", async () => {
  const root = page.locator(`#domain-tree li[data-kind="isd"][data-aid="${ISD}"]`);
  await root.waitFor();
  expect(await root.locator('li[data-kind="app"]').first().getAttribute("data-aid")).toBe("F05745424341524401");
}, 30_000);

test.if(hasChromium)("create a security domain after the confirmation; it appears under the ISD", async () => {
  await page.fill('#domain-create-form input[name="aid"]', SSD.toLowerCase());
  await page.fill('#domain-create-form input[name="privileges"]', "authorized-management");
  await page.getByRole("button", { name: "Create security domain" }).click();
  await confirm(`Create security domain ${SSD}?`);
  await page.locator("#admin-result.ok").waitFor();
  expect(await page.locator("#admin-result").textContent()).toStartWith(`Created security domain ${SSD}`);
  await page.locator(`#domain-tree li[data-kind="isd"] li[data-kind="domain"][data-aid="${SSD}"]`).waitFor();
}, 30_000);

test.if(hasChromium)("store data in the ISD after the confirmation; a bad AID is one line", async () => {
  await page.fill('#store-data-form input[name="aid"]', ISD);
  await page.fill('#store-data-form input[name="data"]', "42 03 11 22 33");
  await page.getByRole("button", { name: "Store data" }).click();
  await confirm(`Store this data in ${ISD}? An application keeps what it is given.`);
  await page.locator("#admin-result.ok").waitFor();
  expect(await page.locator("#admin-result").textContent()).toBe(`Stored 5 bytes (ber-tlv) in ${ISD}`);
  await page.fill('#store-data-form input[name="aid"]', "A0000009990001");
  await page.getByRole("button", { name: "Store data" }).click();
  await confirm("Store this data in A0000009990001? An application keeps what it is given.");
  await page.locator("#admin-result.error").waitFor();
  expect((await page.locator("#admin-result").textContent())!.split("\n")).toHaveLength(1);
}, 30_000);

test.if(hasChromium)("card lock: cancelled, nothing happens; confirmed, the card is locked; then unlocked", async () => {
  await page.getByRole("button", { name: "Lock card" }).click();
  await page.locator("dialog#confirm").waitFor({ state: "visible" });
  await page.getByRole("button", { name: "Cancel" }).click();
  expect(await page.locator(`#domain-tree li[data-kind="isd"] > .muted`).first().textContent()).toBe("secured");
  await page.getByRole("button", { name: "Lock card" }).click();
  await confirm("Lock the card? Only the ISD answers until it is unlocked.");
  await page.locator("#action-result.ok").waitFor();
  expect(await page.locator("#action-result").textContent()).toBe("Card locked: only the ISD answers until it is unlocked");
  await page.getByRole("button", { name: "Unlock card" }).waitFor();
  expect(await page.locator(`#domain-tree li[data-kind="isd"] > .badge`).textContent()).toBe("card-locked");
  await page.getByRole("button", { name: "Unlock card" }).click();
  await confirm("Unlock the card? Its applications can be selected again.");
  await page.getByRole("button", { name: "Lock card" }).waitFor();
}, 30_000);

test.if(hasChromium)("the card's memory holds what the page did", async () => {
  await ui?.stop();
  ui = undefined;
  const sim = ["--sim", join(dir, "card.sqlite")];
  const list = JSON.parse(webcard(["list", ...sim, "--json"]).stdout);
  expect(list.isd[0].lifecycle).toBe("secured");
  expect(list.apps.find((a: { aid: string }) => a.aid === SSD)).toMatchObject({ kind: "domain", privileges: ["security-domain", "authorized-management"] });
  expect(webcard(["info", "--tag", "42", ...sim]).stdout.trim()).toBe("4203112233");
}, 60_000);
