/** The CAP (or IJC) file a command names, read from disk and parsed: `cap`, `load` and `install` share it. */
import { readFileSync, statSync } from "node:fs";
import { WebcardError } from "../stack/errors.ts";
import { parseLoadFile, type CapFile } from "../stack/cap/load-file.ts";
import { sizeText, ZIP_LIMITS } from "../stack/cap/zip-reader.ts";

/** Read a load file from disk and parse it; a missing, unreadable or oversized file is one clear line. */
export function readLoadFile(path: string): CapFile {
  let bytes: Uint8Array;
  try {
    // Refuse a file over the limit before reading it in (a FIFO reports size 0: it is read, then checked by the parser).
    const { size } = statSync(path);
    if (size > ZIP_LIMITS.archiveBytes) {
      throw new WebcardError(`Cannot read CAP file ${path}: it is ${sizeText(size)}, over the ${sizeText(ZIP_LIMITS.archiveBytes)} limit for a CAP file`);
    }
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof WebcardError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : (error as Error).message;
    throw new WebcardError(`Cannot read CAP file ${path}: ${why}`, { cause: error });
  }
  return parseLoadFile(bytes, path);
}
