/**
 * A damaged card memory met while running (a load file that fails its hash
 * when read). The card core answers 6F00 to that command and logs it; the
 * power-on check (verify.ts) reports it at the next start.
 */
export class MemoryDamaged extends Error {
  override name = "MemoryDamaged";
}
