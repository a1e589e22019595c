/** Throw-away file trees for tests: `tempTrees(prefix)` gives a maker and a cleanup. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A temp folder; `tree(files)` writes `{ path: text }` into a new folder inside it, `remove()` deletes all. */
export function tempTrees(prefix: string) {
  const temp = mkdtempSync(join(tmpdir(), prefix));
  return {
    temp,
    tree(files: Record<string, string>): string {
      const root = mkdtempSync(join(temp, "p-"));
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      return root;
    },
    remove: () => rmSync(temp, { recursive: true, force: true }),
  };
}
