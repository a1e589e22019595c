/** SHA-256 of the release files and the `SHA256SUMS` file that lists them (`sha256sum -c` format). */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { basename } from "node:path";

/** The SHA-256 of a file, in lower-case hex, read as a stream (the binaries are ~100 MB). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The text of a SHA256SUMS file: `<hex>  <name>` per line, sorted by name. */
export function sha256sums(entries: readonly { path: string; sha256: string }[]): string {
  return entries
    .map((e) => `${e.sha256}  ${basename(e.path)}`)
    .sort((a, b) => a.slice(66).localeCompare(b.slice(66)))
    .join("\n") + "\n";
}
