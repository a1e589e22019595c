/** `webcard ui` as a user meets it: help, bad options, the printed URL, the guards on a real socket. */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webcard } from "../harness/cli.ts";
import { startUi, type RunningUi } from "./browser.ts";

let ui: RunningUi | undefined;
const dir = mkdtempSync(join(tmpdir(), "webcard-ui-cli-"));
afterAll(async () => {
  await ui?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("ui --help describes the command and its options", () => {
  const r = webcard(["ui", "--help"]);
  expect(r.code).toBe(0);
  for (const s of ["--port", "--sim", "--open", "127.0.0.1"]) expect(r.stdout).toContain(s);
});

test("a bad --port is a usage error in one line", () => {
  const r = webcard(["ui", "--port", "70000"]);
  expect(r.code).toBe(2);
  expect(r.stderr.trim()).toBe("webcard: --port must be a port number 0-65535, got '70000'");
});

test("the printed URL opens the dashboard; without the token or from a foreign Host it does not", async () => {
  // Started outside the project: the pages' JSX must not depend on the caller's tsconfig.json.
  ui = await startUi(["--sim", join(dir, "card.sqlite")], {}, dir);
  const url = new URL(ui.url);
  const token = url.searchParams.get("token")!;
  expect(url.hostname).toBe("127.0.0.1");
  const first = await fetch(ui.url, { redirect: "manual" });
  expect(first.status).toBe(303);
  const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
  const page = await fetch(`${url.origin}/`, { headers: { cookie } });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("Simulated card (webcard)");
  expect((await fetch(`${url.origin}/`)).status).toBe(401);
  const rebound = await fetch(`${url.origin}/api/readers`, { headers: { host: `evil.example:${url.port}`, "x-webcard-token": token } });
  expect(rebound.status).toBe(403);
}, 30_000);
