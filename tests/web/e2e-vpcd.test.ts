/**
 * End to end in Debian's Chromium with a real PC/SC reader: `webcard ui`
 * follows a card put into and taken out of a vpcd reader (a card process
 * started and killed by PID), on the readers page and on the card's page,
 * without a reload.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { claimReader, pcscUsable, type VpcdReader } from "../harness/pcscd.ts";
import { CHROMIUM, FIXTURES, ROOT, SCREENSHOTS, launchBrowser, startUi, type RunningUi } from "./browser.ts";

const usable = pcscUsable && existsSync(CHROMIUM);
const WAIT = { timeout: 20_000 };

let reader: VpcdReader & { release(): void };
let ui: RunningUi;
let browser: { context: BrowserContext; close(): Promise<void> };
let page: Page;
let dir: string;
let cardProc: ReturnType<typeof Bun.spawn> | undefined;

/** Put a card into the claimed reader: a child process attached to its vpcd port. */
async function insertCard(limitMs = 20_000, loadDelayMs = 0): Promise<void> {
  const args = [resolve(ROOT, "tests/web/vpcd-card.ts"), String(reader.port), join(dir, "card.sqlite"), String(loadDelayMs)];
  const proc = Bun.spawn([process.execPath, ...args], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "ignore",
  });
  cardProc = proc;
  const r = proc.stdout.getReader();
  let text = "";
  const deadline = Date.now() + limitMs;
  while (!text.includes("attached")) {
    const next = await Promise.race([r.read(), Bun.sleep(Math.max(0, deadline - Date.now())).then(() => undefined)]);
    if (!next || next.done) {
      await removeCard();
      throw new Error(`The card process did not attach to vpcd port ${reader.port}`);
    }
    text += new TextDecoder().decode(next.value);
  }
  r.releaseLock();
}

/**
 * Claim a reader whose vpcd port takes a card. A vpcd reader whose pcscd
 * thread is stuck (seen on a shared pcscd) accepts no connection: keep it
 * claimed while trying the next, so the harness does not hand it out again.
 */
async function claimWorkingReader(): Promise<void> {
  const tried: (VpcdReader & { release(): void })[] = [];
  try {
    for (let i = 0; i < 8; i++) {
      reader = await claimReader();
      try {
        await insertCard(8_000);
        await removeCard();
        return;
      } catch {
        tried.push(reader);
      }
    }
    throw new Error(`No vpcd reader took a card (tried ports ${tried.map((r) => r.port).join(", ")})`);
  } finally {
    for (const r of tried) r.release();
  }
}

/** Take the card out: kill its process by PID. */
async function removeCard(): Promise<void> {
  const p = cardProc;
  cardProc = undefined;
  if (!p) return;
  p.kill("SIGKILL");
  await p.exited;
}

beforeAll(async () => {
  if (!usable) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), "webcard-ui-vpcd-"));
  await claimWorkingReader();
  ui = await startUi([]);
  browser = await launchBrowser();
  page = await browser.context.newPage();
}, 120_000);

afterAll(async () => {
  await removeCard();
  await browser?.close();
  await ui?.stop();
  reader?.release();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const item = () => page.locator(`#readers li[data-reader="${reader.name}"]`);

test.if(usable)("the readers page follows a card put into and taken out of a vpcd reader", async () => {
  await page.goto(ui.url);
  await item().and(page.locator('[data-card="absent"]')).waitFor(WAIT);
  await insertCard();
  await item().and(page.locator('[data-card="present"]')).waitFor(WAIT);
  expect(await item().textContent()).toContain("ATR");
  await page.screenshot({ path: resolve(SCREENSHOTS, "readers-vpcd.png") });
  await removeCard();
  await item().and(page.locator('[data-card="absent"]')).waitFor(WAIT);
}, 90_000);

test.if(usable)("the card page shows the removal, then the card again when it comes back", async () => {
  await insertCard();
  await item().and(page.locator('[data-card="present"]')).waitFor(WAIT);
  await page.goto(ui.url.replace(/\/\?token=.*/, `/cards/${encodeURIComponent(reader.name)}`));
  await page.locator("#registry").waitFor(WAIT);
  expect(await page.locator("#card-panel").textContent()).toContain("A000000151000000");
  await removeCard();
  await page.locator("#card-banner").getByText("The card was removed").waitFor(WAIT);
  await page.locator('#card-panel [data-state="no-card"]').waitFor(WAIT);
  await page.screenshot({ path: resolve(SCREENSHOTS, "card-removed.png") });
  await insertCard();
  await page.locator("#card-banner").waitFor({ state: "hidden", ...WAIT });
  await page.locator("#registry").waitFor(WAIT);
  expect(await page.locator("#card-panel").textContent()).toContain("A000000151000000");
}, 90_000);

test.if(usable)("a card pulled out mid-install: the error in one line, then the page recovers", async () => {
  await removeCard();
  await page.locator('#card-panel [data-state="no-card"]').waitFor(WAIT);
  // A card that takes 40 ms per LOAD block: the 89-block load lasts seconds.
  await insertCard(20_000, 40);
  await page.locator("#registry").waitFor(WAIT);
  await page.setInputFiles("#cap-file", resolve(FIXTURES, "jcalgtest_AlgTest_v1.7.4_jc222.cap"));
  await page.locator("#cap-summary").waitFor({ state: "visible" });
  // GlobalPlatform from the dashboard: the card's delay applies to each of the 89 LOAD commands.
  await page.selectOption("#install-via", "gp");
  await page.getByRole("button", { name: "Load and install" }).click();
  await page.locator("#install-progress-text").getByText(/^Block ([5-9]|\d\d) of 89/).waitFor(WAIT);
  await removeCard();
  await page.locator("#install-result.error").waitFor(WAIT);
  const line = (await page.locator("#install-result").textContent()) ?? "";
  expect(line).toMatch(/^The card was pulled out of|card removed from/);
  expect(line).not.toContain("\n");
  await page.locator("#card-banner").getByText("The card was removed").waitFor(WAIT);
  await page.screenshot({ path: resolve(SCREENSHOTS, "install-card-pulled.png") });
  // The card comes back: the page reads it again; the unfinished load was discarded.
  await insertCard();
  await page.locator("#card-banner").waitFor({ state: "hidden", ...WAIT });
  await page.locator("#registry").waitFor(WAIT);
  expect(await page.locator('#registry-files tr[data-aid="4A43416C6754657374"]').count()).toBe(0);
  expect(await page.locator("#install-button").isEnabled()).toBe(true);
}, 120_000);
