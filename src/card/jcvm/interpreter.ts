/**
 * The bytecode interpreter (JCVM 3.0.5 chapter 7): one call runs one method
 * of a loaded package on its own frame (operand stack of max_stack cells,
 * locals of nargs + max_locals cells, §3.5), and Java calls nest as JS calls.
 * Shorts, bytes and booleans are one cell; an int is two cells (high, low)
 * on the stack and in locals, as the specification counts them. A Java
 * exception unwinds through the Method component's handler table (§7.5 athrow);
 * the bytecode budget and the frame depth limit abort the whole command.
 *
 * The loop here runs the bytecodes every applet spends its time in (loads,
 * stores, short arithmetic, branches, returns) on local variables; each
 * other family runs in its own file: ops-int.ts (int bytecodes),
 * ops-field.ts, ops-call.ts, ops-object.ts, ops-switch.ts, ops-stack.ts
 * (dup_x, swap_x), and handlers.ts finds the exception handler.
 */
import { hexNumber } from "../../stack/hex.ts";
import type { ExecPackage } from "./exec-package.ts";
import { methodHeader } from "../../stack/cap/vm/method-component.ts";
import type { Ref, Value } from "./model.ts";
import { JavaThrow, VmAbort } from "./signals.ts";
import { OPCODE as O, MNEMONIC } from "./opcodes.ts";
import type { Vm } from "./vm.ts";
import { arrayLoad, arrayStore } from "./arrays.ts";
import { int, readS16, readU16, s16, s8 } from "./cells.ts";
import { intInstruction, intOperandLength } from "./ops-int.ts";
import { dupX, swapX } from "./ops-stack.ts";
import { switchTarget } from "./ops-switch.ts";
import { getField, getStatic, isWideField, putField, putStatic } from "./ops-field.ts";
import { invoke, invokeOperandLength } from "./ops-call.ts";
import { athrow, objectOp, objectOperandLength } from "./ops-object.ts";
import { findHandler } from "./handlers.ts";

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
            case O.bspush:
              stack[sp++] = s8(code[pc++]!);
              break;
            case O.sspush:
              stack[sp++] = readS16(code, pc);
              pc += 2;
              break;
            case O.iconst_m1: case O.iconst_0: case O.iconst_1: case O.iconst_2: case O.iconst_3: case O.iconst_4: case O.iconst_5:
            case O.bipush: case O.sipush: case O.iipush: case O.iload: case O.iload_0: case O.iload_1: case O.iload_2: case O.iload_3:
            case O.istore: case O.istore_0: case O.istore_1: case O.istore_2: case O.istore_3: case O.iaload: case O.iastore:
            case O.iadd: case O.isub: case O.imul: case O.idiv: case O.irem: case O.ineg: case O.ishl: case O.ishr: case O.iushr:
            case O.iand: case O.ior: case O.ixor: case O.iinc: case O.iinc_w: case O.s2i: case O.i2b: case O.i2s: case O.icmp:
              // The int bytecodes (§6.4 ACC_INT packages only).
              sp = intInstruction(vm, op, code, pc, stack, sp, locals);
              pc += intOperandLength(op);
              break;
            case O.aload: case O.sload:
              stack[sp++] = locals[code[pc++]!]!;
              break;
            case O.aload_0: case O.aload_1: case O.aload_2: case O.aload_3:
              stack[sp++] = locals[op - O.aload_0]!;
              break;
            case O.sload_0: case O.sload_1: case O.sload_2: case O.sload_3:
              stack[sp++] = locals[op - O.sload_0]!;
              break;
            case O.aaload: case O.baload: case O.saload: {
              const index = stack[--sp] as number;
              const a = stack[--sp] as Ref;
              stack[sp++] = arrayLoad(vm, a, index, op);
              break;
            }
            case O.astore: case O.sstore:
              locals[code[pc++]!] = stack[--sp]!;
              break;
            case O.astore_0: case O.astore_1: case O.astore_2: case O.astore_3:
              locals[op - O.astore_0] = stack[--sp]!;
              break;
            case O.sstore_0: case O.sstore_1: case O.sstore_2: case O.sstore_3:
              locals[op - O.sstore_0] = stack[--sp]!;
              break;
            case O.aastore: case O.bastore: case O.sastore: {
              const v = stack[--sp]!;
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
            case O.dup_x:
              sp = dupX(stack, sp, code[pc++]!);
              break;
            case O.swap_x:
              swapX(stack, sp, code[pc++]!);
              break;
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
            case O.sinc: {
              const i = code[pc++]!;
              locals[i] = s16((locals[i] as number) + s8(code[pc++]!));
              break;
            }
            case O.sinc_w: {
              const i = code[pc++]!;
              locals[i] = s16((locals[i] as number) + readS16(code, pc));
              pc += 2;
              break;
            }
            case O.s2b: stack[sp - 1] = s8(stack[sp - 1] as number); break;
            case O.ifeq: case O.ifne: case O.iflt: case O.ifge: case O.ifgt: case O.ifle: {
              const v = stack[--sp] as number;
              const d = s8(code[pc]!);
              pc = compare0(op - O.ifeq, v) ? opPc + d : pc + 1;
              break;
            }
            case O.ifeq_w: case O.ifne_w: case O.iflt_w: case O.ifge_w: case O.ifgt_w: case O.ifle_w: {
              const v = stack[--sp] as number;
              const d = readS16(code, pc);
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
              const d = readS16(code, pc);
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
              const d = readS16(code, pc);
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
              const d = readS16(code, pc);
              pc = compare0(op - O.if_scmpeq_w, a - b) ? opPc + d : pc + 2;
              break;
            }
            case O.goto:
              pc = opPc + s8(code[pc]!);
              break;
            case O.goto_w:
              pc = opPc + readS16(code, pc);
              break;
            case O.jsr:
              // The return address is a returnAddress cell: the offset after the jsr (§7.5 jsr).
              stack[sp++] = pc + 2;
              pc = opPc + readS16(code, pc);
              break;
            case O.ret:
              pc = locals[code[pc]!] as number;
              break;
            case O.stableswitch: case O.slookupswitch:
              pc = switchTarget(op, code, opPc, pc, stack[--sp] as number);
              break;
            case O.itableswitch: case O.ilookupswitch: {
              const l = stack[--sp] as number;
              pc = switchTarget(op, code, opPc, pc, int(stack[--sp] as number, l));
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
            case O.getstatic_a: case O.getstatic_b: case O.getstatic_s: case O.getstatic_i:
              sp = getStatic(vm, pkg, op, readU16(code, pc), stack, sp);
              pc += 2;
              break;
            case O.putstatic_a: case O.putstatic_b: case O.putstatic_s: case O.putstatic_i:
              sp = putStatic(vm, pkg, op, readU16(code, pc), stack, sp);
              pc += 2;
              break;
            case O.getfield_a: case O.getfield_b: case O.getfield_s: case O.getfield_i:
            case O.getfield_a_w: case O.getfield_b_w: case O.getfield_s_w: case O.getfield_i_w:
            case O.getfield_a_this: case O.getfield_b_this: case O.getfield_s_this: case O.getfield_i_this:
              if (isWideField(op)) {
                sp = getField(vm, pkg, op, readU16(code, pc), stack, sp, locals[0]!);
                pc += 2;
              } else sp = getField(vm, pkg, op, code[pc++]!, stack, sp, locals[0]!);
              break;
            case O.putfield_a: case O.putfield_b: case O.putfield_s: case O.putfield_i:
            case O.putfield_a_w: case O.putfield_b_w: case O.putfield_s_w: case O.putfield_i_w:
            case O.putfield_a_this: case O.putfield_b_this: case O.putfield_s_this: case O.putfield_i_this:
              if (isWideField(op)) {
                sp = putField(vm, pkg, op, readU16(code, pc), stack, sp, locals[0]!);
                pc += 2;
              } else sp = putField(vm, pkg, op, code[pc++]!, stack, sp, locals[0]!);
              break;
            case O.invokevirtual: case O.invokespecial: case O.invokestatic: case O.invokeinterface:
              sp = invoke(vm, execute, pkg, op, code, pc, stack, sp);
              pc += invokeOperandLength(op);
              break;
            case O.new:
              stack[sp++] = objectOp(vm, pkg, op, code, pc, null);
              pc += 2;
              break;
            case O.newarray: case O.anewarray: case O.arraylength: case O.checkcast: case O.instanceof:
              stack[sp - 1] = objectOp(vm, pkg, op, code, pc, stack[sp - 1]!);
              pc += objectOperandLength(op);
              break;
            case O.athrow:
              athrow(vm, stack[--sp] as Ref);
            default:
              throw new VmAbort(`bytecode ${hexNumber(op)} (${MNEMONIC[op] ?? "undefined"}) at ${pkg.aidHex}+${opPc} is not executable`);
          }
        }
      } catch (error) {
        if (!(error instanceof JavaThrow)) throw error;
        const handler = findHandler(vm, pkg, opPc, error.object);
        if (handler === undefined) throw error;
        // §7.5 athrow: the operand stack is cleared and holds the exception only.
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
