/**
 * End to end in Debian's Chromium: `webcard ui --sim` as a subprocess, a
 * fixture CAP installed through the page with the progress bar reaching
 * its end, the registry updated, then the package deleted after the
 * confirmation. Screenshots of the main views go to docs/screenshots/.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { CHROMIUM, FIXTURES, SCREENSHOTS, launchBrowser, startUi, type RunningUi } from "./browser.ts";

const hasChromium = existsSync(CHROMIUM);
const SIM = "Simulated card (webcard)";
const PACKAGE = "4A43416C6754657374";
const APPLET = "4A43416C675465737431";

let ui: RunningUi;
let browser: { context: BrowserContext; close(): Promise<void> };
let page: Page;
let dir: string;

beforeAll(async () => {
  if (!hasChromium) return;
  dir = mkdtempSync(join(tmpdir(), "webcard-ui-e2e-"));
  mkdirSync(SCREENSHOTS, { recursive: true });
  ui = await startUi(["--sim", join(dir, "card.sqlite")]);
  browser = await launchBrowser();
  page = await browser.context.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await ui?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

test.if(hasChromium)("the token URL opens the readers page and drops the token from the address", async () => {
  await page.goto(ui.url);
  expect(page.url()).not.toContain("token=");
  await page.locator(`#readers li[data-reader="${SIM}"]`).waitFor();
  expect(await page.locator(`#readers li[data-reader="${SIM}"]`).textContent()).toContain("card present");
  await page.screenshot({ path: resolve(SCREENSHOTS, "readers.png") });
}, 30_000);

test.if(hasChromium)("the card page shows the card, its ISD and its registry", async () => {
  await page.getByRole("link", { name: SIM }).click();
  await page.locator("#registry").waitFor();
  const panel = await page.locator("#card-panel").textContent();
  expect(panel).toContain("A000000151000000");
  expect(panel).toContain("Free non-volatile memory");
  expect(panel).toContain("T=1");
  expect(panel).toContain("\"WEBCARD1\"");
  await page.screenshot({ path: resolve(SCREENSHOTS, "card.png"), fullPage: true });
}, 30_000);

test.if(hasChromium)("install a fixture CAP through the page: progress to the end, registry updated", async () => {
  await page.setInputFiles("#cap-file", resolve(FIXTURES, "jcalgtest_AlgTest_v1.7.4_jc222.cap"));
  await page.locator("#cap-summary").waitFor({ state: "visible" });
  expect(await page.locator("#cap-package").textContent()).toContain(PACKAGE);
  expect(await page.locator('#cap-applets input[name="instance"]').inputValue()).toBe(APPLET);
  // GlobalPlatform from the dashboard: progress per LOAD block (the default, auto, takes the card's loader).
  await page.selectOption("#install-via", "gp");
  await page.getByRole("button", { name: "Load and install" }).click();
  await page.locator("#install-result.ok").waitFor({ timeout: 30_000 });
  expect(await page.locator("#install-result").textContent()).toContain(`Loaded ${PACKAGE} (`);
  const bar = await page.locator("#install-progress").evaluate((el) => ({ value: (el as HTMLProgressElement).value, max: (el as HTMLProgressElement).max }));
  expect(bar.max).toBeGreaterThan(20_000);
  expect(bar.value).toBe(bar.max);
  expect(await page.locator("#install-progress-text").textContent()).toMatch(/^Block (\d+) of \1, /);
  await page.locator(`#registry-apps tr[data-aid="${APPLET}"]`).waitFor();
  await page.locator(`#registry-files tr[data-aid="${PACKAGE}"]`).waitFor();
  expect(await page.locator("#trace").textContent()).toContain("=> 84E8");
  await page.locator("#install-h").scrollIntoViewIfNeeded();
  await page.screenshot({ path: resolve(SCREENSHOTS, "install.png"), fullPage: true });
}, 30_000);

test.if(hasChromium)("delete it after a confirmation; the registry follows", async () => {
  await page.locator(`#registry-files tr[data-aid="${PACKAGE}"] button[data-action="delete"]`).click();
  const dialog = page.locator("dialog#confirm");
  await dialog.waitFor({ state: "visible" });
  expect(await dialog.textContent()).toContain(`Delete load file ${PACKAGE}?`);
  expect(await page.locator("#confirm-related").isChecked()).toBe(true);
  await page.screenshot({ path: resolve(SCREENSHOTS, "confirm-delete.png") });
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.locator("#action-result.ok").waitFor();
  expect(await page.locator("#action-result").textContent()).toBe(`Deleted package ${PACKAGE} and its related objects`);
  await page.locator(`#registry-files tr[data-aid="${PACKAGE}"]`).waitFor({ state: "detached" });
  expect(await page.locator(`#registry-apps tr[data-aid="${APPLET}"]`).count()).toBe(0);
}, 30_000);

test.if(hasChromium)("install through the card's own loader: the same form, the web flow", async () => {
  await page.setInputFiles("#cap-file", resolve(FIXTURES, "kaoh_helloworld.cap"));
  await page.locator("#cap-package").getByText("D0D1D2D3D4D501").waitFor();
  await page.selectOption("#install-via", "web");
  await page.getByRole("button", { name: "Load and install" }).click();
  await page.locator("#install-result.ok").waitFor();
  expect(await page.locator("#install-result").textContent()).toBe("Loaded D0D1D2D3D4D501 through the card's own loader (247 bytes) and installed D0D1D2D3D4D50101");
  await page.locator('#registry-apps tr[data-aid="D0D1D2D3D4D50101"]').waitFor();
}, 30_000);

test.if(hasChromium)("the card's own pages open in the marked, sandboxed frame", async () => {
  expect(await page.locator("#card-panel").textContent()).toContain("Web-card linkpresent");
  await page.fill("#card-web-path", "/");
  await page.getByRole("button", { name: "Open" }).click();
  const frame = page.frameLocator("#card-web-frame");
  await frame.getByText("This page is served by the smart card itself").waitFor();
  // Its links stay inside the proxy route.
  expect(await frame.getByRole("link", { name: "registry" }).getAttribute("href")).toStartWith("/card-web/");
  expect(await page.locator("#card-web-frame").getAttribute("sandbox")).toBe("allow-forms");
  expect(await page.locator(".card-content .label").textContent()).toContain("not by webcard");
  await page.locator('section[aria-labelledby="cardweb-h"]').screenshot({ path: resolve(SCREENSHOTS, "card-web.png") });
}, 30_000);

test.if(hasChromium)("keys entered are shown as KCVs and cleared from the form", async () => {
  await page.fill("#key", "404142434445464748494A4B4C4D4E4F");
  await page.selectOption("#scp", "03");
  await page.getByRole("button", { name: "Use these keys" }).click();
  await page.locator("#keys-result.ok").waitFor();
  expect(await page.locator("#keys-result").textContent()).toBe("Keys set for this session: ENC AES 504A77, MAC AES 504A77, DEK AES 504A77");
  expect(await page.inputValue("#key")).toBe("");
  expect(await page.locator("#keys-current").textContent()).toBe("ENC AES 504A77, MAC AES 504A77, DEK AES 504A77");
}, 30_000);
