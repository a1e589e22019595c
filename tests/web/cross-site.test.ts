/**
 * Pages of other origins cannot make the dashboard talk to a card (issue 20),
 * in Debian's Chromium: the user has opened the dashboard (its cookie is
 * set), then visits a page on another port of 127.0.0.1 (the same site: the
 * SameSite=Strict cookie goes along) and one on localhost (another site).
 * Their tags, scripts and forms aim at every route that reads or changes a
 * card. APDUs are counted at the simulated card itself: none may arrive.
 * The dashboard's own card page, in the same browser, then reads the card.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { serveDashboard, type Served } from "../../src/web/serve.ts";
import { simCardDeps } from "../harness/dashboard.ts";
import { CHROMIUM, launchBrowser } from "./browser.ts";

const hasChromium = existsSync(CHROMIUM);
const NAME = "Simulated card";
const R = encodeURIComponent(NAME);

const card = createWebCard({});
let apdus = 0;
const process = card.process.bind(card);
card.process = (command: Uint8Array) => {
  apdus++;
  return process(command);
};

/** A page that tries everything a page of another origin can do without the dashboard's secrets. */
function attackPage(dashboard: string): string {
  const gets = [`/api/cards/${R}`, `/cards/${R}/panel`, `/cards/${R}`, `/api/events?reader=${R}`];
  const posts = [`/api/cards/${R}/lock`, `/api/cards/${R}/delete`, `/api/cards/${R}/install`];
  return `<!doctype html><html><head><title>elsewhere</title>
${gets.map((g) => `<link rel="stylesheet" href="${dashboard}${g}">`).join("\n")}
</head><body>
${gets.map((g) => `<img src="${dashboard}${g}"><script src="${dashboard}${g}"></script><iframe src="${dashboard}${g}"></iframe>`).join("\n")}
<iframe name="sink"></iframe>
<form id="get" method="GET" action="${dashboard}/cards/${R}/panel" target="sink"></form>
${posts.map((p, i) => `<form id="post${i}" method="POST" action="${dashboard}${p}" target="sink" enctype="text/plain"><input name='{"aid":"A000000151000000","x":"' value='"}'></form>`).join("\n")}
<script>
window.addEventListener("load", async () => {
  const urls = ${JSON.stringify(gets.map((g) => dashboard + g))};
  const tries = [];
  for (const u of urls) {
    tries.push(fetch(u, { mode: "no-cors", credentials: "include" }).catch(() => null));
    tries.push(fetch(u, { credentials: "include", headers: { "X-CSRF-Token": "guess" } }).catch(() => null));
  }
  for (const p of ${JSON.stringify(posts.map((p) => dashboard + p))}) {
    tries.push(fetch(p, { method: "POST", mode: "no-cors", credentials: "include", body: JSON.stringify({ aid: "A000000151000000" }) }).catch(() => null));
  }
  await Promise.all(tries);
  document.getElementById("get").submit();
  for (let i = 0; i < ${posts.length}; i++) document.getElementById("post" + i).submit();
  await new Promise((r) => setTimeout(r, 500));
  window.done = true;
});
</script></body></html>`;
}

let served: Served;
let other: ReturnType<typeof Bun.serve>;
let browser: { context: BrowserContext; close(): Promise<void> };
let page: Page;

beforeAll(async () => {
  if (!hasChromium) return;
  served = serveDashboard(simCardDeps(card, NAME));
  const dashboard = `http://127.0.0.1:${served.port}`;
  other = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(attackPage(dashboard), { headers: { "content-type": "text/html" } }) });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(served.url); // the user's session: the token becomes the cookie
}, 60_000);

afterAll(async () => {
  await browser?.close();
  other?.stop(true);
  await served?.stop();
  card.close();
}, 30_000);

async function visit(url: string): Promise<void> {
  const before = apdus;
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { done?: boolean }).done === true, undefined, { timeout: 20_000 });
  expect({ url, apdus: apdus - before }).toEqual({ url, apdus: 0 });
}

test.if(hasChromium)("a page on another port of 127.0.0.1 (the same site) causes no APDU", async () => {
  await visit(`http://127.0.0.1:${other.port}/`);
}, 30_000);

test.if(hasChromium)("a page of another origin (localhost) causes no APDU", async () => {
  await visit(`http://localhost:${other.port}/`);
}, 30_000);

test.if(hasChromium)("the dashboard's own card page reads the card (the count works) and still lists its registry", async () => {
  const before = apdus;
  await page.goto(`http://127.0.0.1:${served.port}/cards/${R}`);
  await page.locator("#registry").waitFor();
  expect(await page.locator("#card-panel").textContent()).toContain("A000000151000000");
  expect(apdus).toBeGreaterThan(before);
}, 30_000);
