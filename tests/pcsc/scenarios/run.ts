/**
 * Scenario runner: start a private pcscd (inside runIsolated), run the body,
 * print its result as the last line of JSON, stop everything by PID.
 */
import { startPrivatePcscd, type PrivatePcscd } from "../isolated.ts";

/** Run `body` with a private pcscd and print `{ ok, ...result }` or `{ ok: false, error }`. */
export async function scenario(body: (pcscd: PrivatePcscd) => Promise<Record<string, unknown>>): Promise<never> {
  let pcscd: PrivatePcscd | undefined;
  let out: Record<string, unknown>;
  try {
    pcscd = await startPrivatePcscd();
    out = { ok: true, ...(await body(pcscd)) };
  } catch (e) {
    out = { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) };
  }
  await pcscd?.stop().catch(() => undefined);
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(0);
}

/** The error of a promise as { name, kind, message }, or undefined when it resolves. */
export async function failureOf(p: Promise<unknown>): Promise<{ name: string; kind?: string; message: string } | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    const err = e as Error & { kind?: string };
    return { name: err.name, kind: err.kind, message: err.message };
  }
}
