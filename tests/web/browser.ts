/** Debian's Chromium driven by playwright-core, and `webcard ui` as a subprocess, for the end-to-end tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const ROOT = resolve(import.meta.dir, "../..");
export const FIXTURES = resolve(ROOT, "../shared/fixtures/cap");
/**
 * Where the end-to-end tests save their screenshots: a temporary folder, so
 * a test run leaves the tree as it was (the last run's are kept there to look
 * at). `npm run screenshots` sets WEBCARD_SCREENSHOTS=docs/screenshots to
 * refresh the ones the README and docs/dashboard.md show.
 */
export const SCREENSHOTS = process.env.WEBCARD_SCREENSHOTS
  ? resolve(ROOT, process.env.WEBCARD_SCREENSHOTS)
  : join(tmpdir(), "webcard-screenshots");

/** A headless Chromium with a fresh profile; `close` removes the profile. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "webcard-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1200, height: 900 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** `webcard ui` running as a child process, and the URL it printed. */
export interface RunningUi {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Start `webcard ui ARGS` (in `cwd`, the project by default) and wait for its URL line. */
export async function startUi(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<RunningUi> {
  const proc = Bun.spawn([process.execPath, resolve(ROOT, "src/cli.ts"), "ui", ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = proc.stdout.getReader();
  const dec = new TextDecoder();
  let text = "";
  const deadline = Date.now() + 20_000;
  while (!/http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}/.test(text)) {
    const next = await Promise.race([reader.read(), Bun.sleep(Math.max(0, deadline - Date.now())).then(() => undefined)]);
    if (!next || next.done) {
      proc.kill();
      throw new Error(`webcard ui printed no URL: ${text} ${await new Response(proc.stderr).text()}`);
    }
    text += dec.decode(next.value);
  }
  reader.releaseLock();
  const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}/.exec(text)![0];
  return {
    url,
    pid: proc.pid,
    stop: async () => {
      proc.kill("SIGTERM");
      const ended = await Promise.race([proc.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
      if (!ended) proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}
