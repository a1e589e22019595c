/**
 * The load in progress (GP 2.3.1 section 9.3.5): opened by INSTALL [for
 * load], fed by LOAD blocks, closed by the last block. It lives in the card's
 * working memory, not in the registry's file: an unfinished load never
 * survives a power cut anyway (the card core discards it at power-on), and
 * keeping blocks out of the file spares a page rewrite (and its journal
 * record) per block; the last block writes the whole load file once.
 */
import { concat } from "../../stack/bytes.ts";

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
  private current: { packageAid: Uint8Array; sdAid: Uint8Array; hash: Uint8Array; declared: number } | undefined;
  private blocks: Uint8Array[] = [];

  get(): PendingLoad | undefined {
    const c = this.current;
    if (!c) return undefined;
    return { ...c, nextBlock: this.blocks.length, received: this.blocks.reduce((n, b) => n + b.length, 0) };
  }

  /** Start a new load, replacing any unfinished one. */
  start(p: { packageAid: Uint8Array; sdAid: Uint8Array; hash: Uint8Array; declared: number }): void {
    this.discard();
    this.current = { packageAid: p.packageAid.slice(), sdAid: p.sdAid.slice(), hash: p.hash.slice(), declared: p.declared };
  }

  /** Append block `n` (the caller checked it is the expected one, `nextBlock`). */
  append(n: number, data: Uint8Array): void {
    if (n !== this.blocks.length) throw new RangeError(`LOAD block ${n} appended where ${this.blocks.length} was expected`);
    this.blocks.push(data.slice());
  }

  /** Every block received, in order. */
  data(): Uint8Array {
    return concat(...this.blocks);
  }

  /** Forget the load in progress. Returns whether there was one. */
  discard(): boolean {
    const had = this.current !== undefined;
    this.current = undefined;
    this.blocks = [];
    return had;
  }
}
