/**
 * Preloaded by `bun test` (bunfig.toml): global hooks. `bun test` does not
 * emit the process "exit" event, so the pcscd a test run started is stopped
 * here, by PID, after the last test file.
 */
import { afterAll } from "bun:test";
import { stopStarted, releaseAll } from "./harness/pcscd.ts";

afterAll(async () => {
  releaseAll();
  await stopStarted();
});
