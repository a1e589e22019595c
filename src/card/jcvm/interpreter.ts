/**
 * The bytecode interpreter (JCVM 3.0.5 chapter 7): one call runs one method
 * of a loaded package on its own frame (operand stack of max_stack cells,
 * locals of nargs + max_locals cells, §3.5), and Java calls nest as JS calls.
 * Shorts, bytes and booleans are one cell; an int is two cells (high, low)
 * on the stack and in locals, as the specification counts them. A Java
 * exception unwinds through the Method component's handler table (§7.5.1);
 * the bytecode budget and the frame depth limit abort the whole command.
 */
import { hexNumber } from "../../stack/hex.ts";
import type { ExecPackage } from "./exec-package.ts";
import { methodHeader } from "../../stack/cap/vm/method-component.ts";
import { JArray, JObject, type Ref, type Value } from "./model.ts";
import { JavaThrow, VmAbort } from "./signals.ts";
import { OPCODE as O, MNEMONIC } from "./opcodes.ts";
import type { Vm } from "./vm.ts";
import * as cp from "./resolve.ts";
import { arrayLoad, arrayStore, newArrayOf } from "./arrays.ts";
import { isInstance } from "./types.ts";
import { invokeInterface, invokeSpecialOrStatic, invokeVirtual } from "./invoke.ts";

const s8 = (v: number) => (v << 24) >> 24;
const s16 = (v: number) => (v << 16) >> 16;
/** The two cells of an int: high, low (each a signed 16-bit value). */
const hi = (v: number) => v >> 16;
const lo = (v: number) => s16(v);
const int = (h: number, l: number) => (h << 16) | (l & 0xffff);

/** Run the method at `offset` of `pkg` with `args` as its first locals; the return value (an int as one number). */
export function execute(vm: Vm, pkg: ExecPackage, offset: number, args: Value[]): Value | undefined {
  const code = pkg.method.code;
  const h = methodHeader(code, offset);
  if (h.abstract) throw new VmAbort(`abstract method at ${pkg.aidHex}+${offset} called`);
  if (++vm.depth > vm.limits.maxDepth) {
    vm.depth--;
    throw new VmAbort(`more than ${vm.limits.maxDepth} nested method calls (stack overflow)`);
  }
  const savedContext = vm.context;
  vm.context = pkg.context;
  const locals: Value[] = new Array<Value>(h.nargs + h.maxLocals).fill(0);
  for (let i = 0; i < args.length && i < locals.length; i++) locals[i] = args[i]!;
  const stack: Value[] = new Array<Value>(h.maxStack + 2).fill(0);
  let sp = 0;
  let pc = h.codeStart;
  let opPc = pc;
  vm.trace?.(`-> ${pkg.aidHex}+${offset} (${h.nargs} args)`);
  try {
    for (;;) {
      try {
        for (;;) {
          if (--vm.budget < 0) throw new VmAbort(`the command ran more than ${vm.limits.bytecodesPerApdu} bytecodes`);
          opPc = pc;
          const op = code[pc++]!;
          switch (op) {
            case O.nop:
              break;
            case O.aconst_null:
              stack[sp++] = null;
              break;
            case O.sconst_m1: case O.sconst_0: case O.sconst_1: case O.sconst_2: case O.sconst_3: case O.sconst_4: case O.sconst_5:
              stack[sp++] = op - O.sconst_0;
              break;
            case O.iconst_m1: case O.iconst_0: case O.iconst_1: case O.iconst_2: case O.iconst_3: case O.iconst_4: case O.iconst_5:
              stack[sp++] = op === O.iconst_m1 ? -1 : 0;
              stack[sp++] = op - O.iconst_0;
              break;
            case O.bspush:
              stack[sp++] = s8(code[pc++]!);
              break;
            case O.sspush:
              stack[sp++] = s16((code[pc]! << 8) | code[pc + 1]!);
              pc += 2;
              break;
            case O.bipush: {
              const v = s8(code[pc++]!);
              stack[sp++] = hi(v);
              stack[sp++] = lo(v);
              break;
            }
            case O.sipush: {
              const v = s16((code[pc]! << 8) | code[pc + 1]!);
              pc += 2;
              stack[sp++] = hi(v);
              stack[sp++] = lo(v);
              break;
            }
            case O.iipush:
              stack[sp++] = s16((code[pc]! << 8) | code[pc + 1]!);
              stack[sp++] = s16((code[pc + 2]! << 8) | code[pc + 3]!);
              pc += 4;
              break;
            case O.aload: case O.sload:
              stack[sp++] = locals[code[pc++]!]!;
              break;
            case O.iload: {
              const i = code[pc++]!;
              stack[sp++] = locals[i]!;
              stack[sp++] = locals[i + 1]!;
              break;
            }
            case O.aload_0: case O.aload_1: case O.aload_2: case O.aload_3:
              stack[sp++] = locals[op - O.aload_0]!;
              break;
            case O.sload_0: case O.sload_1: case O.sload_2: case O.sload_3:
              stack[sp++] = locals[op - O.sload_0]!;
              break;
            case O.iload_0: case O.iload_1: case O.iload_2: case O.iload_3: {
              const i = op - O.iload_0;
              stack[sp++] = locals[i]!;
              stack[sp++] = locals[i + 1]!;
              break;
            }
            case O.aaload: case O.baload: case O.saload: {
              const index = stack[--sp] as number;
              const a = stack[--sp] as Ref;
              stack[sp++] = arrayLoad(vm, a, index, op);
              break;
            }
            case O.iaload: {
              const index = stack[--sp] as number;
              const a = stack[--sp] as Ref;
              const v = arrayLoad(vm, a, index, op) as number;
              stack[sp++] = hi(v);
              stack[sp++] = lo(v);
              break;
            }
            case O.astore: case O.sstore:
              locals[code[pc++]!] = stack[--sp]!;
              break;
            case O.istore: {
              const i = code[pc++]!;
              locals[i + 1] = stack[--sp]!;
              locals[i] = stack[--sp]!;
              break;
            }
            case O.astore_0: case O.astore_1: case O.astore_2: case O.astore_3:
              locals[op - O.astore_0] = stack[--sp]!;
              break;
            case O.sstore_0: case O.sstore_1: case O.sstore_2: case O.sstore_3:
              locals[op - O.sstore_0] = stack[--sp]!;
              break;
            case O.istore_0: case O.istore_1: case O.istore_2: case O.istore_3: {
              const i = op - O.istore_0;
              locals[i + 1] = stack[--sp]!;
              locals[i] = stack[--sp]!;
              break;
            }
            case O.aastore: case O.bastore: case O.sastore: {
              const v = stack[--sp]!;
              const index = stack[--sp] as number;
              const a = stack[--sp] as Ref;
              arrayStore(vm, a, index, v, op);
              break;
            }
            case O.iastore: {
              const l = stack[--sp] as number;
              const v = int(stack[--sp] as number, l);
              const index = stack[--sp] as number;
              const a = stack[--sp] as Ref;
              arrayStore(vm, a, index, v, op);
              break;
            }
            case O.pop:
              sp--;
              break;
            case O.pop2:
              sp -= 2;
              break;
            case O.dup:
              stack[sp] = stack[sp - 1]!;
              sp++;
              break;
            case O.dup2:
              stack[sp] = stack[sp - 2]!;
              stack[sp + 1] = stack[sp - 1]!;
              sp += 2;
              break;
            case O.dup_x: {
              // mn: duplicate the top m cells and insert them n cells down (n 0: on top), §7.5.21.
              const mn = code[pc++]!;
              const m = mn >> 4;
              const n = mn & 0x0f;
              const top = stack.slice(sp - m, sp);
              if (n === 0) {
                for (let i = 0; i < m; i++) stack[sp + i] = top[i]!;
              } else {
                for (let i = sp - 1; i >= sp - n; i--) stack[i + m] = stack[i]!;
                for (let i = 0; i < m; i++) stack[sp - n + i] = top[i]!;
              }
              sp += m;
              break;
            }
            case O.swap_x: {
              // mn: swap the top m cells with the n cells below them, §7.5.80.
              const mn = code[pc++]!;
              const m = mn >> 4;
              const n = mn & 0x0f;
              const top = stack.slice(sp - m, sp);
              const below = stack.slice(sp - m - n, sp - m);
              let k = sp - m - n;
              for (const v of top) stack[k++] = v;
              for (const v of below) stack[k++] = v;
              break;
            }
            case O.sadd: { const b = stack[--sp] as number; stack[sp - 1] = s16((stack[sp - 1] as number) + b); break; }
            case O.ssub: { const b = stack[--sp] as number; stack[sp - 1] = s16((stack[sp - 1] as number) - b); break; }
            case O.smul: { const b = stack[--sp] as number; stack[sp - 1] = s16(Math.imul(stack[sp - 1] as number, b)); break; }
            case O.sdiv: case O.srem: {
              const b = stack[--sp] as number;
              if (b === 0) vm.throwJava("java.lang.ArithmeticException");
              const a = stack[sp - 1] as number;
              stack[sp - 1] = s16(op === O.sdiv ? (a / b) | 0 : a % b);
              break;
            }
            case O.sneg: stack[sp - 1] = s16(-(stack[sp - 1] as number)); break;
            case O.sshl: { const b = (stack[--sp] as number) & 0x1f; stack[sp - 1] = s16((stack[sp - 1] as number) << b); break; }
            case O.sshr: { const b = (stack[--sp] as number) & 0x1f; stack[sp - 1] = s16((stack[sp - 1] as number) >> b); break; }
            case O.sushr: { const b = (stack[--sp] as number) & 0x1f; stack[sp - 1] = s16((stack[sp - 1] as number) >>> b); break; }
            case O.sand: { const b = stack[--sp] as number; stack[sp - 1] = (stack[sp - 1] as number) & b; break; }
            case O.sor: { const b = stack[--sp] as number; stack[sp - 1] = (stack[sp - 1] as number) | b; break; }
            case O.sxor: { const b = stack[--sp] as number; stack[sp - 1] = (stack[sp - 1] as number) ^ b; break; }
            case O.iadd: case O.isub: case O.imul: case O.idiv: case O.irem: case O.ishl: case O.ishr: case O.iushr: case O.iand: case O.ior: case O.ixor: {
              const bl = stack[--sp] as number;
              const b = int(stack[--sp] as number, bl);
              const al = stack[--sp] as number;
              const a = int(stack[--sp] as number, al);
              const v = intOp(vm, op, a, b);
              stack[sp++] = hi(v);
              stack[sp++] = lo(v);
              break;
            }
            case O.ineg: {
              const l = stack[--sp] as number;
              const v = -int(stack[--sp] as number, l) | 0;
              stack[sp++] = hi(v);
              stack[sp++] = lo(v);
              break;
            }
            case O.sinc: {
              const i = code[pc++]!;
              locals[i] = s16((locals[i] as number) + s8(code[pc++]!));
              break;
            }
            case O.sinc_w: {
              const i = code[pc++]!;
              locals[i] = s16((locals[i] as number) + s16((code[pc]! << 8) | code[pc + 1]!));
              pc += 2;
              break;
            }
            case O.iinc: case O.iinc_w: {
              const i = code[pc++]!;
              let c: number;
              if (op === O.iinc) c = s8(code[pc++]!);
              else {
                c = s16((code[pc]! << 8) | code[pc + 1]!);
                pc += 2;
              }
              const v = (int(locals[i] as number, locals[i + 1] as number) + c) | 0;
              locals[i] = hi(v);
              locals[i + 1] = lo(v);
              break;
            }
            case O.s2b: stack[sp - 1] = s8(stack[sp - 1] as number); break;
            case O.s2i: {
              const v = stack[sp - 1] as number;
              stack[sp - 1] = hi(v);
              stack[sp++] = lo(v);
              break;
            }
            case O.i2b: { const l = stack[--sp] as number; stack[sp - 1] = s8(l); break; }
            case O.i2s: { const l = stack[--sp] as number; stack[sp - 1] = l; break; }
            case O.icmp: {
              const bl = stack[--sp] as number;
              const b = int(stack[--sp] as number, bl);
              const al = stack[--sp] as number;
              const a = int(stack[--sp] as number, al);
              stack[sp++] = a > b ? 1 : a < b ? -1 : 0;
              break;
            }
            case O.ifeq: case O.ifne: case O.iflt: case O.ifge: case O.ifgt: case O.ifle: {
              const v = stack[--sp] as number;
              const d = s8(code[pc]!);
              pc = compare0(op - O.ifeq, v) ? opPc + d : pc + 1;
              break;
            }
            case O.ifeq_w: case O.ifne_w: case O.iflt_w: case O.ifge_w: case O.ifgt_w: case O.ifle_w: {
              const v = stack[--sp] as number;
              const d = s16((code[pc]! << 8) | code[pc + 1]!);
              pc = compare0(op - O.ifeq_w, v) ? opPc + d : pc + 2;
              break;
            }
            case O.ifnull: case O.ifnonnull: {
              const v = stack[--sp];
              const d = s8(code[pc]!);
              pc = (v === null) === (op === O.ifnull) ? opPc + d : pc + 1;
              break;
            }
            case O.ifnull_w: case O.ifnonnull_w: {
              const v = stack[--sp];
              const d = s16((code[pc]! << 8) | code[pc + 1]!);
              pc = (v === null) === (op === O.ifnull_w) ? opPc + d : pc + 2;
              break;
            }
            case O.if_acmpeq: case O.if_acmpne: {
              const b = stack[--sp];
              const a = stack[--sp];
              const d = s8(code[pc]!);
              pc = (a === b) === (op === O.if_acmpeq) ? opPc + d : pc + 1;
              break;
            }
            case O.if_acmpeq_w: case O.if_acmpne_w: {
              const b = stack[--sp];
              const a = stack[--sp];
              const d = s16((code[pc]! << 8) | code[pc + 1]!);
              pc = (a === b) === (op === O.if_acmpeq_w) ? opPc + d : pc + 2;
              break;
            }
            case O.if_scmpeq: case O.if_scmpne: case O.if_scmplt: case O.if_scmpge: case O.if_scmpgt: case O.if_scmple: {
              const b = stack[--sp] as number;
              const a = stack[--sp] as number;
              const d = s8(code[pc]!);
              pc = compare0(op - O.if_scmpeq, a - b) ? opPc + d : pc + 1;
              break;
            }
            case O.if_scmpeq_w: case O.if_scmpne_w: case O.if_scmplt_w: case O.if_scmpge_w: case O.if_scmpgt_w: case O.if_scmple_w: {
              const b = stack[--sp] as number;
              const a = stack[--sp] as number;
              const d = s16((code[pc]! << 8) | code[pc + 1]!);
              pc = compare0(op - O.if_scmpeq_w, a - b) ? opPc + d : pc + 2;
              break;
            }
            case O.goto:
              pc = opPc + s8(code[pc]!);
              break;
            case O.goto_w:
              pc = opPc + s16((code[pc]! << 8) | code[pc + 1]!);
              break;
            case O.jsr:
              // The return address is a returnAddress cell: the offset after the jsr (§7.5.47).
              stack[sp++] = pc + 2;
              pc = opPc + s16((code[pc]! << 8) | code[pc + 1]!);
              break;
            case O.ret:
              pc = locals[code[pc]!] as number;
              break;
            case O.stableswitch: {
              const index = stack[--sp] as number;
              const def = s16((code[pc]! << 8) | code[pc + 1]!);
              const low = s16((code[pc + 2]! << 8) | code[pc + 3]!);
              const high = s16((code[pc + 4]! << 8) | code[pc + 5]!);
              if (index < low || index > high) pc = opPc + def;
              else {
                const at = pc + 6 + 2 * (index - low);
                pc = opPc + s16((code[at]! << 8) | code[at + 1]!);
              }
              break;
            }
            case O.itableswitch: {
              const l = stack[--sp] as number;
              const index = int(stack[--sp] as number, l);
              const def = s16((code[pc]! << 8) | code[pc + 1]!);
              const low = readI32(code, pc + 2);
              const high = readI32(code, pc + 6);
              if (index < low || index > high) pc = opPc + def;
              else {
                const at = pc + 10 + 2 * (index - low);
                pc = opPc + s16((code[at]! << 8) | code[at + 1]!);
              }
              break;
            }
            case O.slookupswitch: {
              const key = stack[--sp] as number;
              const def = s16((code[pc]! << 8) | code[pc + 1]!);
              const n = (code[pc + 2]! << 8) | code[pc + 3]!;
              let target = opPc + def;
              for (let i = 0, at = pc + 4; i < n; i++, at += 4) {
                if (s16((code[at]! << 8) | code[at + 1]!) === key) {
                  target = opPc + s16((code[at + 2]! << 8) | code[at + 3]!);
                  break;
                }
              }
              pc = target;
              break;
            }
            case O.ilookupswitch: {
              const l = stack[--sp] as number;
              const key = int(stack[--sp] as number, l);
              const def = s16((code[pc]! << 8) | code[pc + 1]!);
              const n = (code[pc + 2]! << 8) | code[pc + 3]!;
              let target = opPc + def;
              for (let i = 0, at = pc + 4; i < n; i++, at += 6) {
                if (readI32(code, at) === key) {
                  target = opPc + s16((code[at + 4]! << 8) | code[at + 5]!);
                  break;
                }
              }
              pc = target;
              break;
            }
            case O.areturn: case O.sreturn:
              vm.retKind = op === O.areturn ? "R" : "S";
              return stack[--sp];
            case O.ireturn: {
              const l = stack[--sp] as number;
              vm.retKind = "I";
              return int(stack[--sp] as number, l);
            }
            case O.return:
              vm.retKind = "V";
              return undefined;
            case O.getstatic_a: case O.getstatic_b: case O.getstatic_s: case O.getstatic_i: {
              const f = cp.staticField(vm, pkg, (code[pc]! << 8) | code[pc + 1]!);
              pc += 2;
              const v = f.pkg.getStatic(f.offset, op - O.getstatic_a);
              if (op === O.getstatic_i) {
                stack[sp++] = hi(v as number);
                stack[sp++] = lo(v as number);
              } else stack[sp++] = v;
              break;
            }
            case O.putstatic_a: case O.putstatic_b: case O.putstatic_s: case O.putstatic_i: {
              const f = cp.staticField(vm, pkg, (code[pc]! << 8) | code[pc + 1]!);
              pc += 2;
              let v: Value;
              if (op === O.putstatic_i) {
                const l = stack[--sp] as number;
                v = int(stack[--sp] as number, l);
              } else v = stack[--sp]!;
              if (op === O.putstatic_a && v !== null) vm.checkStaticStore(v as JObject | JArray);
              vm.writeStatic(f.pkg, f.offset, op - O.putstatic_a, v);
              break;
            }
            case O.getfield_a: case O.getfield_b: case O.getfield_s: case O.getfield_i:
            case O.getfield_a_w: case O.getfield_b_w: case O.getfield_s_w: case O.getfield_i_w:
            case O.getfield_a_this: case O.getfield_b_this: case O.getfield_s_this: case O.getfield_i_this: {
              let index: number;
              if (op >= O.getfield_a_w && op <= O.getfield_i_w) {
                index = (code[pc]! << 8) | code[pc + 1]!;
                pc += 2;
              } else index = code[pc++]!;
              const kind = op <= O.getfield_i ? op - O.getfield_a : op <= O.getfield_i_w ? op - O.getfield_a_w : op - O.getfield_a_this;
              const obj = (op >= O.getfield_a_this ? locals[0] : stack[--sp]) as Ref;
              const cell = cp.instanceField(vm, pkg, index);
              const o = vm.fieldAccess(obj);
              const v = o.fields[cell]!;
              if (kind === 3) {
                stack[sp++] = hi(v as number);
                stack[sp++] = lo(v as number);
              } else stack[sp++] = v;
              break;
            }
            case O.putfield_a: case O.putfield_b: case O.putfield_s: case O.putfield_i:
            case O.putfield_a_w: case O.putfield_b_w: case O.putfield_s_w: case O.putfield_i_w:
            case O.putfield_a_this: case O.putfield_b_this: case O.putfield_s_this: case O.putfield_i_this: {
              let index: number;
              if (op >= O.putfield_a_w && op <= O.putfield_i_w) {
                index = (code[pc]! << 8) | code[pc + 1]!;
                pc += 2;
              } else index = code[pc++]!;
              const kind = op <= O.putfield_i ? op - O.putfield_a : op <= O.putfield_i_w ? op - O.putfield_a_w : op - O.putfield_a_this;
              let v: Value;
              if (kind === 3) {
                const l = stack[--sp] as number;
                v = int(stack[--sp] as number, l);
              } else v = stack[--sp]!;
              if (kind === 1) v = s8(v as number);
              const obj = (op >= O.putfield_a_this ? locals[0] : stack[--sp]) as Ref;
              const cell = cp.instanceField(vm, pkg, index);
              vm.writeField(vm.fieldAccess(obj), cell, v);
              break;
            }
            case O.invokevirtual: {
              const m = cp.virtualMethod(vm, pkg, (code[pc]! << 8) | code[pc + 1]!);
              pc += 2;
              sp -= m.nargs;
              const r = invokeVirtual(vm, execute, pkg, m, stack.slice(sp, sp + m.nargs));
              sp = pushResult(vm, stack, sp, r);
              break;
            }
            case O.invokespecial: case O.invokestatic: {
              const index = (code[pc]! << 8) | code[pc + 1]!;
              pc += 2;
              const target = cp.specialOrStatic(vm, pkg, index);
              sp -= target.nargs;
              const r = invokeSpecialOrStatic(vm, execute, target, stack.slice(sp, sp + target.nargs));
              sp = pushResult(vm, stack, sp, r);
              break;
            }
            case O.invokeinterface: {
              const nargs = code[pc]!;
              const iface = cp.classRef(vm, pkg, (code[pc + 1]! << 8) | code[pc + 2]!);
              const token = code[pc + 3]!;
              pc += 4;
              sp -= nargs;
              const r = invokeInterface(vm, execute, iface, token, stack.slice(sp, sp + nargs));
              sp = pushResult(vm, stack, sp, r);
              break;
            }
            case O.new: {
              const cls = cp.classRef(vm, pkg, (code[pc]! << 8) | code[pc + 1]!);
              pc += 2;
              stack[sp++] = vm.newObject(cls);
              break;
            }
            case O.newarray: {
              const atype = code[pc++]!;
              stack[sp - 1] = newArrayOf(vm, atype, stack[sp - 1] as number, undefined);
              break;
            }
            case O.anewarray: {
              const cls = cp.classRef(vm, pkg, (code[pc]! << 8) | code[pc + 1]!);
              pc += 2;
              stack[sp - 1] = newArrayOf(vm, 14, stack[sp - 1] as number, cls);
              break;
            }
            case O.arraylength: {
              const a = stack[sp - 1] as Ref;
              stack[sp - 1] = vm.arrayAccess(a).length;
              break;
            }
            case O.athrow: {
              const t = stack[--sp] as Ref;
              if (t === null) vm.throwJava("java.lang.NullPointerException");
              if (!(t instanceof JObject)) throw new VmAbort("athrow of an array");
              throw new JavaThrow(vm.throwableAccess(t));
            }
            case O.checkcast: case O.instanceof: {
              const atype = code[pc]!;
              const index = (code[pc + 1]! << 8) | code[pc + 2]!;
              pc += 3;
              const ref = stack[sp - 1] as Ref;
              const cls = atype === 0 || atype === 14 ? cp.classRef(vm, pkg, index) : undefined;
              if (op === O.checkcast) {
                if (ref !== null && !isInstance(ref, atype, cls)) vm.throwJava("java.lang.ClassCastException");
              } else stack[sp - 1] = ref !== null && isInstance(ref, atype, cls) ? 1 : 0;
              break;
            }
            default:
              throw new VmAbort(`bytecode ${hexNumber(op)} (${MNEMONIC[op] ?? "undefined"}) at ${pkg.aidHex}+${opPc} is not executable`);
          }
        }
      } catch (error) {
        if (!(error instanceof JavaThrow)) throw error;
        const handler = findHandler(vm, pkg, opPc, error.object);
        if (handler === undefined) throw error;
        // §7.5.1: the operand stack is cleared and holds the exception only.
        vm.context = pkg.context;
        sp = 0;
        stack[sp++] = error.object;
        pc = handler;
      }
    }
  } finally {
    vm.depth--;
    vm.context = savedContext;
  }
}

function compare0(kind: number, v: number): boolean {
  switch (kind) {
    case 0: return v === 0;
    case 1: return v !== 0;
    case 2: return v < 0;
    case 3: return v >= 0;
    case 4: return v > 0;
    default: return v <= 0;
  }
}

function readI32(code: Uint8Array, at: number): number {
  return (code[at]! << 24) | (code[at + 1]! << 16) | (code[at + 2]! << 8) | code[at + 3]!;
}

function intOp(vm: Vm, op: number, a: number, b: number): number {
  switch (op) {
    case O.iadd: return (a + b) | 0;
    case O.isub: return (a - b) | 0;
    case O.imul: return Math.imul(a, b);
    case O.idiv:
      if (b === 0) vm.throwJava("java.lang.ArithmeticException");
      return (a / b) | 0;
    case O.irem:
      if (b === 0) vm.throwJava("java.lang.ArithmeticException");
      return a % b | 0;
    case O.ishl: return a << (b & 0x1f);
    case O.ishr: return a >> (b & 0x1f);
    case O.iushr: return (a >>> (b & 0x1f)) | 0;
    case O.iand: return a & b;
    case O.ior: return a | b;
    default: return a ^ b;
  }
}

/** Push what a call returned, by the kind the callee set. */
function pushResult(vm: Vm, stack: Value[], sp: number, r: Value | undefined): number {
  switch (vm.retKind) {
    case "V":
      return sp;
    case "I":
      stack[sp] = hi(r as number);
      stack[sp + 1] = lo(r as number);
      return sp + 2;
    default:
      stack[sp] = r!;
      return sp + 1;
  }
}

/** The first handler covering `pc` whose catch type the exception is (§6.10.1: handlers in order, inner first). */
function findHandler(vm: Vm, pkg: ExecPackage, pc: number, thrown: JObject): number | undefined {
  for (const h of pkg.method.handlers) {
    if (pc < h.start || pc >= h.end) continue;
    if (h.catchType === 0) return h.handler;
    const cls = cp.classRef(vm, pkg, h.catchType);
    if (isInstance(thrown, 0, cls)) return h.handler;
  }
  return undefined;
}
