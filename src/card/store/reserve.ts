/**
 * The card's reserve for a full disk. A card must still authenticate,
 * list and delete when its memory is full, or nothing could ever make room.
 * SQLite's rollback journal in PERSIST mode is overwritten in place from
 * the start at each transaction and never shrinks; the only new space a
 * command needs is for journal records past its current end and for pages
 * past the end of the database. Updating a counter (INITIALIZE UPDATE,
 * EXTERNAL AUTHENTICATE) or deleting rows (DELETE frees pages to SQLite's
 * free list) changes pages in place; so with a journal already as large as
 * their records, they need no new disk space at all.
 *
 * At power-on the journal is grown to RESERVE_BYTES with real zero bytes
 * (not a sparse hole, which would need space when written). A journal whose
 * header starts with zero is not "hot" (SQLite, pager.c hasHotJournal), so
 * its content is never replayed; SQLite writes the header and record count
 * of each transaction before the records count (synchronous = FULL).
 */
import { closeSync, existsSync, openSync, readSync, statSync, writeSync } from "node:fs";

/** Space set aside for the journal: an authentication takes ~4 KB of it, deleting a package with its instances ~20 KB. */
export const RESERVE_BYTES = 128 * 1024;

/** Grow the journal at `journalPath` to `bytes`; a line for the log when that failed (a full disk at power-on). */
export function setAsideReserve(journalPath: string, bytes = RESERVE_BYTES): string | undefined {
  let fd: number | undefined;
  try {
    const had = existsSync(journalPath) ? statSync(journalPath).size : 0;
    if (had >= bytes) return undefined;
    fd = openSync(journalPath, existsSync(journalPath) ? "r+" : "w+");
    if (had > 0) {
      // Only ever grow an idle journal (header zeroed at the last commit, or rolled back at open).
      const first = new Uint8Array(1);
      if (readSync(fd, first, 0, 1, 0) === 1 && first[0] !== 0) return "memory reserve not set aside: the journal is in use";
    }
    const zeros = new Uint8Array(Math.min(64 * 1024, bytes));
    for (let at = had; at < bytes; at += zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, bytes - at), at);
    return undefined;
  } catch (error) {
    return `memory reserve not set aside (${(error as Error).message}): on a full disk, authentication and DELETE may fail`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
