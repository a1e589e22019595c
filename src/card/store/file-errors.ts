/**
 * One clear line for each way the card memory file cannot be used: in use
 * by another card process, read-only, a folder that cannot be written, an
 * I/O error. A read-only file is never reported as "in use".
 */
import { dirname } from "node:path";
import { WebcardError } from "../../stack/errors.ts";

const ANOTHER_FILE = "choose another state file (webcard sim --state FILE, or --sim FILE)";

/** The SQLite (or system) error code of `error`: "SQLITE_BUSY", "EACCES", ... */
export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : "";
}

/** Another process holds the file's lock. */
export function inUse(path: string, cause?: unknown): WebcardError {
  return new WebcardError(`The card memory ${path} is in use by another webcard process`, {
    cause,
    hint: `stop that 'webcard sim' (or the command using it) first, or ${ANOTHER_FILE}`,
  });
}

/** The error to show for `error` met while opening or checking `path`. */
export function fileError(path: string, error: unknown, what: "file" | "folder" = "file"): WebcardError {
  if (error instanceof WebcardError) return error;
  const code = codeOf(error);
  const detail = (error as Error)?.message ?? String(error);
  if (code === "SQLITE_BUSY" || code.startsWith("SQLITE_BUSY_") || code === "SQLITE_LOCKED") return inUse(path, error);
  if (code === "EROFS" || code === "SQLITE_READONLY_DIRECTORY" || code.startsWith("SQLITE_READONLY")) {
    return new WebcardError(`Cannot write the card memory ${path}: it is on a read-only file system or read-only for this user`, {
      cause: error,
      hint: `make it writable, or ${ANOTHER_FILE}`,
    });
  }
  if (code === "EACCES" || code === "EPERM" || code === "SQLITE_PERM" || code === "SQLITE_CANTOPEN") {
    const where = what === "folder" ? `its folder ${dirname(path)} is not writable for this user` : "permission denied";
    return new WebcardError(`Cannot open the card memory ${path}: ${where}`, {
      cause: error,
      hint:
        what === "folder"
          ? `the card writes its journal next to the file: make the folder writable, or ${ANOTHER_FILE}`
          : `make the file readable and writable for this user, or ${ANOTHER_FILE}`,
    });
  }
  if (code === "EISDIR") return new WebcardError(`The card memory ${path} is a folder, not a file`, { cause: error, hint: ANOTHER_FILE });
  if (code === "ENOSPC" || code === "SQLITE_FULL") {
    return new WebcardError(`Cannot create the card memory ${path}: the file system is full`, { cause: error, hint: `free some space, or ${ANOTHER_FILE}` });
  }
  if (code === "EIO" || code.startsWith("SQLITE_IOERR")) {
    return new WebcardError(`Cannot read or write the card memory ${path}: I/O error (${detail})`, {
      cause: error,
      hint: "check the disk; the file is left as it was",
    });
  }
  return new WebcardError(`Cannot open the card memory ${path}: ${detail}`, { cause: error, hint: ANOTHER_FILE });
}
