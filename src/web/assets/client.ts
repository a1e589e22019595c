/**
 * The dashboard's browser script: TypeScript in src/web/client/ (type-checked
 * with the rest), bundled for the browser by Bun.build into one classic
 * script. The compiled program carries the bundle: scripts/build/compile.ts
 * defines WEBCARD_CLIENT_JS with `bundleClient()`'s output. From source it is
 * bundled on first request, from this file's folder, whatever the working
 * directory.
 */
import { fileURLToPath } from "node:url";

declare const WEBCARD_CLIENT_JS: string | undefined;

/** The entry point of the browser code (used from source and by the build, never inside the binary). */
const CLIENT_ENTRY = new URL("../client/main.ts", import.meta.url);

/** Bundle src/web/client/ for the browser: one IIFE, minified. */
export async function bundleClient(): Promise<string> {
  const result = await Bun.build({ entrypoints: [fileURLToPath(CLIENT_ENTRY)], target: "browser", format: "iife", minify: true, throw: false });
  const output = result.outputs[0];
  if (!result.success || !output) {
    throw new Error(`Bundling the dashboard's script failed: ${result.logs.map((l) => l.message).join("; ") || "no output"}`);
  }
  return output.text();
}

let bundled: Promise<string> | undefined;

/** The script served at /assets/app.js: the build's, or bundled once now. */
export function clientScript(): Promise<string> {
  if (typeof WEBCARD_CLIENT_JS === "string") return Promise.resolve(WEBCARD_CLIENT_JS);
  bundled ??= bundleClient().catch((error: unknown) => {
    bundled = undefined;
    throw error;
  });
  return bundled;
}
