/**
 * The load in progress (GP 2.3.1 section 9.3.5): opened by INSTALL [for
 * load], fed by LOAD blocks, closed by the last block. It sits in its own
 * tables so that the registry never shows a half-loaded package; the card
 * core discards it at power-on (an unfinished load does not survive).
 */
import { concat } from "../../stack/bytes.ts";
import type { CardStore } from "./store.ts";

export interface PendingLoad {
  packageAid: Uint8Array;
  sdAid: Uint8Array;
  /** LFDB hash from INSTALL [for load] (empty when none was given). */
  hash: Uint8Array;
  /** Size declared in the load parameters (EF/C6 + C8), 0 when none. */
  declared: number;
  /** The P2 the next LOAD must carry. */
  nextBlock: number;
  /** Bytes received so far. */
  received: number;
}

export class PendingLoads {
  constructor(private readonly store: CardStore) {}

  get(): PendingLoad | undefined {
    const r = this.store.db
      .query<
        { package: Uint8Array; sd_aid: Uint8Array; hash: Uint8Array; declared: number; next_block: number },
        []
      >("SELECT package, sd_aid, hash, declared, next_block FROM pending_load WHERE id = 1")
      .get();
    if (!r) return undefined;
    return {
      packageAid: new Uint8Array(r.package),
      sdAid: new Uint8Array(r.sd_aid),
      hash: new Uint8Array(r.hash),
      declared: r.declared,
      nextBlock: r.next_block,
      received: this.received(),
    };
  }

  private received(): number {
    const r = this.store.db.query<{ n: number | null }, []>("SELECT sum(length(data)) AS n FROM pending_blocks").get();
    return r?.n ?? 0;
  }

  /** Start a new load, replacing any unfinished one. */
  start(p: { packageAid: Uint8Array; sdAid: Uint8Array; hash: Uint8Array; declared: number }): void {
    this.discard();
    this.store.db
      .query("INSERT INTO pending_load (id, package, sd_aid, hash, declared, next_block) VALUES (1, ?, ?, ?, ?, 0)")
      .run(p.packageAid, p.sdAid, p.hash, p.declared);
  }

  /** Append block `n` (the caller checked it is the expected one). */
  append(n: number, data: Uint8Array): void {
    this.store.db.query("INSERT INTO pending_blocks (n, data) VALUES (?, ?)").run(n, data);
    this.store.db.query("UPDATE pending_load SET next_block = ? WHERE id = 1").run(n + 1);
  }

  /** Every block received, in order. */
  data(): Uint8Array {
    const rows = this.store.db.query<{ data: Uint8Array }, []>("SELECT data FROM pending_blocks ORDER BY n").all();
    return concat(...rows.map((r) => new Uint8Array(r.data)));
  }

  /** Forget the load in progress. Returns whether there was one. */
  discard(): boolean {
    const had = this.store.db.query<{ n: number }, []>("SELECT count(*) AS n FROM pending_load").get()?.n ?? 0;
    if (had > 0 || this.received() > 0) {
      this.store.db.run("DELETE FROM pending_blocks");
      this.store.db.run("DELETE FROM pending_load");
      return true;
    }
    return false;
  }
}
