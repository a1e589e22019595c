/**
 * The record's hash chain: each row's hash is SHA-256 over the previous
 * row's hash and the row's body (its JSON, stored as written), so editing,
 * removing or reordering a row breaks every hash after it; the chain head
 * (last sequence number and hash, kept beside the rows) catches a removed
 * last row. It detects changes; it does not stop someone who rewrites the
 * whole chain (that needs the hashes kept elsewhere, or signed).
 */
import { createHash } from "node:crypto";

/** The hash before the first row. */
export const GENESIS = "0".repeat(64);

/** One row as stored. */
export interface StoredRow {
  seq: number;
  identity: string;
  result: string;
  dataRow: number | null;
  body: string;
  prevHash: string;
  hash: string;
}

/** SHA-256 (hex) of the previous hash and the body. */
export function chainHash(prevHash: string, body: string): string {
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

/** What verify found: every problem, one line each with its row. */
export interface ChainReport {
  rows: number;
  problems: string[];
}

/** Check `rows` (in sequence order) against each other and against the head. */
export function verifyChain(rows: readonly StoredRow[], head: { seq: number; hash: string } | undefined): ChainReport {
  const problems: string[] = [];
  let prev = GENESIS;
  let expectSeq = 1;
  for (const r of rows) {
    if (r.seq !== expectSeq) problems.push(`row ${expectSeq}${r.seq > expectSeq ? `${r.seq - 1 > expectSeq ? `-${r.seq - 1}` : ""} is missing` : ` comes twice`}`);
    if (r.prevHash !== prev) problems.push(`row ${r.seq}: its previous hash does not match row ${r.seq - 1}'s hash (a row before it was changed or removed)`);
    if (chainHash(r.prevHash, r.body) !== r.hash) problems.push(`row ${r.seq}: its body does not match its hash (the row was edited)`);
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(r.body) as Record<string, unknown>;
    } catch {
      problems.push(`row ${r.seq}: its body is not JSON`);
    }
    if (body && (body.seq !== r.seq || body.identity !== r.identity || body.result !== r.result || (body.dataRow ?? null) !== r.dataRow)) {
      problems.push(`row ${r.seq}: its columns differ from its body (the row was edited)`);
    }
    prev = r.hash;
    expectSeq = r.seq + 1;
  }
  const last = rows.at(-1);
  if (head === undefined && last) problems.push("the chain head is missing");
  if (head && (head.seq !== (last?.seq ?? 0) || head.hash !== (last?.hash ?? GENESIS))) {
    problems.push(`the chain head names row ${head.seq} but the last row is ${last?.seq ?? "none"} (rows at the end were removed, or the head was changed)`);
  }
  return { rows: rows.length, problems };
}
