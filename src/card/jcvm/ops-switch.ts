/**
 * The switch bytecodes (JCVM 3.0.5 §7.5 stableswitch, itableswitch,
 * slookupswitch, ilookupswitch): the target
 * pc for a key already popped. Offsets are relative to the switch's opcode.
 */
import { readI32, readS16 } from "./cells.ts";
import { OPCODE as O } from "./opcodes.ts";

/**
 * The pc after the switch at `opPc` for `key`; `pc` is the first operand byte.
 *
 *   stableswitch  default:s2 low:s2  high:s2  offsets:s2[high-low+1]
 *   itableswitch  default:s2 low:i4  high:i4  offsets:s2[high-low+1]
 *   slookupswitch default:s2 npairs:u2 (match:s2 offset:s2)[npairs]
 *   ilookupswitch default:s2 npairs:u2 (match:i4 offset:s2)[npairs]
 */
export function switchTarget(op: number, code: Uint8Array, opPc: number, pc: number, key: number): number {
  const def = opPc + readS16(code, pc);
  switch (op) {
    case O.stableswitch: {
      const low = readS16(code, pc + 2);
      const high = readS16(code, pc + 4);
      return key < low || key > high ? def : opPc + readS16(code, pc + 6 + 2 * (key - low));
    }
    case O.itableswitch: {
      const low = readI32(code, pc + 2);
      const high = readI32(code, pc + 6);
      return key < low || key > high ? def : opPc + readS16(code, pc + 10 + 2 * (key - low));
    }
    default: {
      // Pairs are sorted by match (§7.5 slookupswitch), but a linear scan needs no trust in that.
      const wide = op === O.ilookupswitch;
      const n = (code[pc + 2]! << 8) | code[pc + 3]!;
      const size = wide ? 6 : 4;
      for (let i = 0, at = pc + 4; i < n; i++, at += size) {
        const match = wide ? readI32(code, at) : readS16(code, at);
        if (match === key) return opPc + readS16(code, at + size - 2);
      }
      return def;
    }
  }
}
