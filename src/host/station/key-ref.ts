/**
 * Key material named by the job file. The job file is shared and kept, so a
 * key is best given by reference: `env:NAME` (an environment variable) or
 * `file:PATH` (a file holding the hex); hex in the job file itself and
 * "default" (the GlobalPlatform test key) work too. Messages name the
 * reference, never the key.
 */
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { parseKeys, type StaticKeys } from "../../stack/gp/keys.ts";

/** The key set a reference names; throws a message naming the reference only. */
export function resolveKeyRef(ref: string, baseDir: string, env: Readonly<Record<string, string | undefined>>): StaticKeys {
  let text = ref;
  if (ref.startsWith("env:")) {
    const name = ref.slice(4);
    const v = env[name];
    if (v === undefined || v.trim() === "") throw new Error(`environment variable ${name} is not set`);
    text = v;
  } else if (ref.startsWith("file:")) {
    const path = isAbsolute(ref.slice(5)) ? ref.slice(5) : join(baseDir, ref.slice(5));
    try {
      if (statSync(path).size > 1024) throw new Error("too big");
      text = readFileSync(path, "utf8");
    } catch {
      throw new Error(`cannot read key file ${path} (a file of at most 1 KiB holding the key in hex)`);
    }
  }
  return parseKeys({ key: text.trim() });
}
