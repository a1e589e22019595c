/** The card's web server over the link: pages, script administration, the CLI's fetch. */
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { CardWeb, cardFetch, cardRequest } from "../../src/host/link/card-web.ts";

const ROOT = join(import.meta.dir, "../..");
async function webcard(args: string[]) {
  const p = Bun.spawn([process.execPath, join(ROOT, "src/cli.ts"), ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

const auth = { secure: { keys: defaultKeys("AES"), level: "mac" as const } };

describe("the card's web server", () => {
  test("home, card info and registry answer over the link", async () => {
    const card = createWebCard();
    const t = inProcessTransport(card);
    expect((await (await cardFetch(t, cardRequest("/"))).json()).where).toBe("card");
    expect((await (await cardFetch(t, cardRequest("/card"))).json()).freeMemory).toBeGreaterThan(0);
    const reg = await (await cardFetch(t, cardRequest("/registry"))).json();
    expect(reg.isd).toBe("A000000151000000");
    const page = await cardFetch(t, cardRequest("/loader", { headers: { accept: "text/html" } }));
    expect(await page.text()).toMatch(/<form method="post" action="\/cgi-bin\/load" enctype="multipart\/form-data">[\s\S]*name="nonce" value="[0-9A-F]{32}"/);
  });

  test("scripts are listed and replaced only with authentication", async () => {
    const card = createWebCard();
    const t = inProcessTransport(card);
    expect((await cardFetch(t, cardRequest("/admin/scripts"))).status).toBe(401);
    const web = await CardWeb.open(t, auth);
    expect(Object.keys(await (await web.fetch(cardRequest("/admin/scripts"))).json())).toContain("load");
    const bad = await web.fetch(cardRequest("/admin/scripts/load", { method: "PUT", body: "jump 3" }));
    expect(bad.status).toBe(400);
    const ok = await web.fetch(cardRequest("/admin/scripts/load", { method: "PUT", body: 'respond 503 "loading is closed today"' }));
    expect(ok.status).toBe(200);
    const form = new FormData();
    form.set("nonce", "00");
    const r = await web.fetch(cardRequest("/cgi-bin/load", { method: "POST", body: form }));
    expect(await r.text()).toContain("closed today");
    expect(r.status).toBe(503);
  });

  test("a CGI name that is not a script is 404, Object's own names included", async () => {
    const t = inProcessTransport(createWebCard());
    for (const name of ["nothing", "constructor", "toString", "__proto__", "hasOwnProperty"]) {
      const r = await cardFetch(t, cardRequest(`/cgi-bin/${name}`, { method: "POST", body: new URLSearchParams({ a: "b" }) }));
      expect(r.status).toBe(404);
      expect(((await r.json()) as { message: string }).message).toBe(`No CGI script ${name}`);
    }
  });

  test("webcard fetch / prints the home page", async () => {
    const dir = mkdtempSync(join(tmpdir(), "webcard-link-"));
    const r = await webcard(["fetch", "/", "--sim", join(dir, "card.sqlite")]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).name).toBe("webcard");
  });
});
