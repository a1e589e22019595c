/**
 * JCSystem transactions (JCRE 3.0.5 chapter 7): between beginTransaction and
 * commitTransaction every write to a persistent field, array element or
 * static field is logged with its old value; abortTransaction (or the end
 * of the command, or a tear) puts the old values back. The log has a
 * capacity (getMaxCommitCapacity); a write beyond it throws
 * TransactionException.BUFFER_FULL.
 */
import type { JArray, JObject, StaticImage, Value } from "./model.ts";

/** TransactionException reasons (javacard.framework.TransactionException). */
export const TX_REASON = { IN_PROGRESS: 1, NOT_IN_PROGRESS: 2, BUFFER_FULL: 3, INTERNAL_FAILURE: 4 } as const;

/** Bytes a log entry costs: the old value plus its address (as a card's commit buffer counts it). */
const ENTRY_OVERHEAD = 4;

export class Transaction {
  private readonly undo: (() => void)[] = [];
  private readonly seen = new Set<string>();
  used = 0;

  constructor(
    readonly capacity: number,
    /** Throws TransactionException.BUFFER_FULL. */
    private readonly full: () => never,
    /** Tells the heap a restored object changed again. */
    private readonly changed: (target: JObject | JArray | StaticImage) => void,
  ) {}

  private log(key: string, bytes: number, restore: () => void, target: JObject | JArray | StaticImage): void {
    if (this.seen.has(key)) return;
    if (this.used + bytes + ENTRY_OVERHEAD > this.capacity) this.full();
    this.seen.add(key);
    this.used += bytes + ENTRY_OVERHEAD;
    this.undo.push(() => {
      restore();
      this.changed(target);
    });
  }

  logField(obj: JObject, cell: number): void {
    const old: Value = obj.fields[cell]!;
    this.log(`o${obj.id}.${cell}`, 2, () => (obj.fields[cell] = old), obj);
  }

  logArray(a: JArray, index: number): void {
    const old = a.data[index]!;
    const size = a.kind === "B" || a.kind === "Z" ? 1 : a.kind === "I" ? 4 : 2;
    this.log(`a${a.id}.${index}`, size, () => (a.data[index] = old as never), a);
  }

  logStatic(pkg: StaticImage, offset: number, kind: number): void {
    const old = pkg.getStatic(offset, kind);
    this.log(`s${pkg.aidHex}.${offset}`, kind === 3 ? 4 : 2, () => pkg.setStatic(offset, kind, old), pkg);
  }

  /** Put every logged value back, newest first. */
  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]!();
    this.undo.length = 0;
  }
}
