/**
 * The dashboard's install follows the CLI, in Debian's Chromium against
 * `webcard ui --sim`: the default path is the CLI's (auto: the card's own
 * loader), whose LOAD progress the page shows while the card runs it; a
 * second install is refused without command-line advice; "replace" (the
 * CLI's --force) replaces; an extra instance comes from the package on the
 * card; a new file clears the last result and the progress bar.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { CHROMIUM, FIXTURES, launchBrowser, startUi, type RunningUi } from "./browser.ts";
import { CI } from "../harness/pcscd.ts";

const hasChromium = existsSync(CHROMIUM);
const SIM = "Simulated card (webcard)";
const ALGTEST = resolve(FIXTURES, "jcalgtest_AlgTest_v1.7.4_jc222.cap");
const HELLO = resolve(FIXTURES, "kaoh_helloworld.cap");

let ui: RunningUi;
let browser: { context: BrowserContext; close(): Promise<void> };
let page: Page;
let dir: string;

beforeAll(async () => {
  if (!hasChromium) return;
  dir = mkdtempSync(join(tmpdir(), "webcard-ui-paths-"));
  ui = await startUi(["--sim", join(dir, "card.sqlite")]);
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

test.if(!hasChromium && CI)("Chromium is installed (CI)", () => {
  expect(hasChromium).toBe(true);
});

/** Choose `file` and wait for its summary. */
async function choose(file: string, pkg: string): Promise<void> {
  await page.setInputFiles("#cap-file", file);
  await page.locator("#cap-package").getByText(pkg).waitFor();
  // The summary and the applet rows are in place once the button is enabled again.
  await page.locator("#install-button:not([disabled])").waitFor();
}

/** Press install and wait for the result line; returns its class and text. */
async function installNow(): Promise<{ ok: boolean; text: string }> {
  await page.getByRole("button", { name: "Load and install" }).click();
  const result = page.locator("#install-result.ok, #install-result.error");
  await result.waitFor({ timeout: 60_000 });
  return { ok: (await page.locator("#install-result.ok").count()) === 1, text: (await page.locator("#install-result").textContent()) ?? "" };
}

test.if(hasChromium)("the default path is auto, and the card's loader reports the LOAD while it runs", async () => {
  expect(await page.inputValue("#install-via")).toBe("auto");
  await choose(ALGTEST, "4A43416C6754657374");
  // Every text the progress line takes, as the page shows it.
  await page.evaluate(() => {
    const w = window as unknown as { seen: string[] };
    w.seen = [];
    new MutationObserver(() => w.seen.push(document.querySelector("#install-progress-text")!.textContent ?? "")).observe(document.querySelector("#install-progress-text")!, { childList: true, characterData: true, subtree: true });
  });
  const r = await installNow();
  expect(r).toEqual({ ok: true, text: "Loaded 4A43416C6754657374 through the card's own loader (21,870 bytes) and installed 4A43416C675465737431" });
  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  const blocks = seen.map((t) => /^Block (\d+) of 86\b/.exec(t)?.[1]).filter((b): b is string => b !== undefined).map(Number);
  // Several reports, counting up to the whole load file: the card's own steps, not one jump.
  expect(blocks.length).toBeGreaterThan(2);
  expect(blocks.every((b, i) => i === 0 || b > blocks[i - 1]!)).toBe(true);
  expect(blocks.at(-1)).toBe(86);
  const bar = await page.locator("#install-progress").evaluate((el) => ({ value: (el as HTMLProgressElement).value, max: (el as HTMLProgressElement).max }));
  expect(bar.value).toBe(bar.max);
}, 90_000);

test.if(hasChromium)("a second install is refused in the page's words, with no command-line advice", async () => {
  const r = await installNow();
  expect(r.ok).toBe(false);
  expect(r.text).toBe('Package 4A43416C6754657374 and instance 4A43416C675465737431 are already on the card (choose "Replace what is on the card" to replace it)');
  expect(r.text).not.toMatch(/--|webcard /);
}, 90_000);

test.if(hasChromium)("a new file clears the last result and the progress bar", async () => {
  await choose(HELLO, "D0D1D2D3D4D501");
  expect(await page.locator("#install-result").textContent()).toBe("");
  expect(await page.locator("#install-result.error").count()).toBe(0);
  expect(await page.locator("#install-progress-text").textContent()).toBe("");
  expect(await page.locator("#install-progress").evaluate((el) => (el as HTMLProgressElement).value)).toBe(0);
}, 30_000);

test.if(hasChromium)("replace (the CLI's --force) replaces, and an extra instance comes from the package on the card", async () => {
  expect((await installNow()).ok).toBe(true);
  await page.check("#install-replace");
  expect(await installNow()).toEqual({ ok: true, text: "Replaced package D0D1D2D3D4D501: Loaded D0D1D2D3D4D501 through the card's own loader (247 bytes) and installed D0D1D2D3D4D50101" });
  await page.uncheck("#install-replace");
  await choose(HELLO, "D0D1D2D3D4D501");
  await page.fill("#inst-0", "D0D1D2D3D4D50102");
  expect(await installNow()).toEqual({ ok: true, text: "Installed D0D1D2D3D4D50102 from package D0D1D2D3D4D501, already on the card (nothing loaded)" });
  await page.locator('#registry-apps tr[data-aid="D0D1D2D3D4D50102"]').waitFor();
}, 90_000);

test.if(hasChromium)("the same refusal on the bridge and GlobalPlatform paths has no command-line advice either", async () => {
  for (const via of ["bridge", "gp"]) {
    // The same file again: the form keeps the instance typed last; ask for the first one again.
    await page.fill("#inst-0", "D0D1D2D3D4D50101");
    await page.selectOption("#install-via", via);
    const r = await installNow();
    expect({ via, ...r }).toEqual({ via, ok: false, text: 'Package D0D1D2D3D4D501 and instance D0D1D2D3D4D50101 are already on the card (choose "Replace what is on the card" to replace it)' });
  }
}, 90_000);
