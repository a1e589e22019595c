/** The CAP (or IJC) file a command names, read from disk and parsed: `cap`, `load` and `install` share it. */
import { readFileSync } from "node:fs";
import { WebcardError } from "../stack/errors.ts";
import { parseLoadFile, type CapFile } from "../stack/cap/load-file.ts";

/** Read a load file from disk and parse it; a missing or unreadable file is one clear line. */
export function readLoadFile(path: string): CapFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : (error as Error).message;
    throw new WebcardError(`Cannot read CAP file ${path}: ${why}`, { cause: error });
  }
  return parseLoadFile(bytes, path);
}
