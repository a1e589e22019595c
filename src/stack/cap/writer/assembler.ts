/**
 * A readable bytecode assembler for test applets (JCVM 3.0.5 chapter 7):
 * one instruction per line, `label:` lines, `;` comments. Operands by the
 * instruction's format: numbers (decimal or 0x hex), branch labels
 * (relative offsets computed here, 1 or 2 bytes by the mnemonic), and
 * constant pool references `#name` resolved through `constants` (2-byte
 * references are returned as Uint8Array parts, which the CAP builder lists
 * in the RefLocation component).
 *
 * The switches take their tables inline (JCVM 3.0.5 §7.5):
 *   stableswitch DEFAULT LOW HIGH L_LOW ... L_HIGH      (itableswitch: int LOW, HIGH)
 *   slookupswitch DEFAULT NPAIRS MATCH L ... MATCH L   (ilookupswitch: int MATCH; sorted)
 * and `.catch START END HANDLER TYPE` lines add an exception handler for the
 * code from label START up to label END (§6.10: TYPE a `#name` Classref or
 * 0 for any exception), in the order written (inner handlers first).
 *
 *   sconst_0
 *   sstore_2
 * loop:
 *   sinc 2 1
 *   sload_2
 *   sspush 100
 *   if_scmplt loop
 *   invokestatic #beginTransaction
 *   return
 */
import { u16 } from "../../bytes.ts";

/**
 * The opening of a test applet's process(APDU) (local 1 the APDU): the APDU
 * buffer into local 2, and return at once on the SELECT that selected the
 * applet (INS A4); anything else goes on at the label `go`.
 */
export const PROCESS_SKIPS_SELECT = `
  aload_1
  invokevirtual #getBuffer
  astore_2
  aload_2
  sconst_1
  baload
  bspush 0xA4
  if_scmpne go
  return
go:`;

/** Operand layouts: b = s1/u1, s = s2/u2, i = s4, B = 1-byte branch, S = 2-byte branch, c = u1 cp index, C = u2 cp index. */
const FORMATS: Readonly<Record<string, [number, string]>> = {
  nop: [0x00, ""], aconst_null: [0x01, ""],
  sconst_m1: [0x02, ""], sconst_0: [0x03, ""], sconst_1: [0x04, ""], sconst_2: [0x05, ""], sconst_3: [0x06, ""], sconst_4: [0x07, ""], sconst_5: [0x08, ""],
  iconst_m1: [0x09, ""], iconst_0: [0x0a, ""], iconst_1: [0x0b, ""], iconst_2: [0x0c, ""], iconst_3: [0x0d, ""], iconst_4: [0x0e, ""], iconst_5: [0x0f, ""],
  bspush: [0x10, "b"], sspush: [0x11, "s"], bipush: [0x12, "b"], sipush: [0x13, "s"], iipush: [0x14, "i"],
  aload: [0x15, "b"], sload: [0x16, "b"], iload: [0x17, "b"],
  aload_0: [0x18, ""], aload_1: [0x19, ""], aload_2: [0x1a, ""], aload_3: [0x1b, ""],
  sload_0: [0x1c, ""], sload_1: [0x1d, ""], sload_2: [0x1e, ""], sload_3: [0x1f, ""],
  iload_0: [0x20, ""], iload_1: [0x21, ""], iload_2: [0x22, ""], iload_3: [0x23, ""],
  aaload: [0x24, ""], baload: [0x25, ""], saload: [0x26, ""], iaload: [0x27, ""],
  astore: [0x28, "b"], sstore: [0x29, "b"], istore: [0x2a, "b"],
  astore_0: [0x2b, ""], astore_1: [0x2c, ""], astore_2: [0x2d, ""], astore_3: [0x2e, ""],
  sstore_0: [0x2f, ""], sstore_1: [0x30, ""], sstore_2: [0x31, ""], sstore_3: [0x32, ""],
  istore_0: [0x33, ""], istore_1: [0x34, ""], istore_2: [0x35, ""], istore_3: [0x36, ""],
  aastore: [0x37, ""], bastore: [0x38, ""], sastore: [0x39, ""], iastore: [0x3a, ""],
  pop: [0x3b, ""], pop2: [0x3c, ""], dup: [0x3d, ""], dup2: [0x3e, ""], dup_x: [0x3f, "b"], swap_x: [0x40, "b"],
  sadd: [0x41, ""], iadd: [0x42, ""], ssub: [0x43, ""], isub: [0x44, ""], smul: [0x45, ""], imul: [0x46, ""], sdiv: [0x47, ""], idiv: [0x48, ""],
  srem: [0x49, ""], irem: [0x4a, ""], sneg: [0x4b, ""], ineg: [0x4c, ""], sshl: [0x4d, ""], ishl: [0x4e, ""], sshr: [0x4f, ""], ishr: [0x50, ""],
  sushr: [0x51, ""], iushr: [0x52, ""], sand: [0x53, ""], iand: [0x54, ""], sor: [0x55, ""], ior: [0x56, ""], sxor: [0x57, ""], ixor: [0x58, ""],
  sinc: [0x59, "bb"], iinc: [0x5a, "bb"], s2b: [0x5b, ""], s2i: [0x5c, ""], i2b: [0x5d, ""], i2s: [0x5e, ""], icmp: [0x5f, ""],
  ifeq: [0x60, "B"], ifne: [0x61, "B"], iflt: [0x62, "B"], ifge: [0x63, "B"], ifgt: [0x64, "B"], ifle: [0x65, "B"], ifnull: [0x66, "B"], ifnonnull: [0x67, "B"],
  if_acmpeq: [0x68, "B"], if_acmpne: [0x69, "B"],
  if_scmpeq: [0x6a, "B"], if_scmpne: [0x6b, "B"], if_scmplt: [0x6c, "B"], if_scmpge: [0x6d, "B"], if_scmpgt: [0x6e, "B"], if_scmple: [0x6f, "B"],
  goto: [0x70, "B"], jsr: [0x71, "S"], ret: [0x72, "b"],
  areturn: [0x77, ""], sreturn: [0x78, ""], ireturn: [0x79, ""], return: [0x7a, ""],
  getstatic_a: [0x7b, "C"], getstatic_b: [0x7c, "C"], getstatic_s: [0x7d, "C"], getstatic_i: [0x7e, "C"],
  putstatic_a: [0x7f, "C"], putstatic_b: [0x80, "C"], putstatic_s: [0x81, "C"], putstatic_i: [0x82, "C"],
  getfield_a: [0x83, "c"], getfield_b: [0x84, "c"], getfield_s: [0x85, "c"], getfield_i: [0x86, "c"],
  putfield_a: [0x87, "c"], putfield_b: [0x88, "c"], putfield_s: [0x89, "c"], putfield_i: [0x8a, "c"],
  invokevirtual: [0x8b, "C"], invokespecial: [0x8c, "C"], invokestatic: [0x8d, "C"], invokeinterface: [0x8e, "bCb"],
  new: [0x8f, "C"], newarray: [0x90, "b"], anewarray: [0x91, "C"], arraylength: [0x92, ""], athrow: [0x93, ""], checkcast: [0x94, "bC"], instanceof: [0x95, "bC"],
  sinc_w: [0x96, "bs"], iinc_w: [0x97, "bs"],
  ifeq_w: [0x98, "S"], ifne_w: [0x99, "S"], iflt_w: [0x9a, "S"], ifge_w: [0x9b, "S"], ifgt_w: [0x9c, "S"], ifle_w: [0x9d, "S"], ifnull_w: [0x9e, "S"], ifnonnull_w: [0x9f, "S"],
  if_acmpeq_w: [0xa0, "S"], if_acmpne_w: [0xa1, "S"],
  if_scmpeq_w: [0xa2, "S"], if_scmpne_w: [0xa3, "S"], if_scmplt_w: [0xa4, "S"], if_scmpge_w: [0xa5, "S"], if_scmpgt_w: [0xa6, "S"], if_scmple_w: [0xa7, "S"],
  goto_w: [0xa8, "S"],
  stableswitch: [0x73, "*"], itableswitch: [0x74, "*"], slookupswitch: [0x75, "*"], ilookupswitch: [0x76, "*"],
  getfield_a_w: [0xa9, "C"], getfield_b_w: [0xaa, "C"], getfield_s_w: [0xab, "C"], getfield_i_w: [0xac, "C"],
  putfield_a_w: [0xb1, "C"], putfield_b_w: [0xb2, "C"], putfield_s_w: [0xb3, "C"], putfield_i_w: [0xb4, "C"],
  getfield_a_this: [0xad, "c"], getfield_b_this: [0xae, "c"], getfield_s_this: [0xaf, "c"], getfield_i_this: [0xb0, "c"],
  putfield_a_this: [0xb5, "c"], putfield_b_this: [0xb6, "c"], putfield_s_this: [0xb7, "c"], putfield_i_this: [0xb8, "c"],
};

const SIZE: Readonly<Record<string, number>> = { b: 1, s: 2, i: 4, B: 1, S: 2, c: 1, C: 2 };

/** The operand layout of a switch from its operands (S: 2-byte branch from the opcode, s/i: 2/4-byte values). */
function switchLayout(mnemonic: string, args: string[], n: number): string {
  const wide = mnemonic.startsWith("i");
  if (mnemonic.endsWith("tableswitch")) {
    if (args.length < 3) throw new RangeError(`Line ${n}: ${mnemonic} takes DEFAULT LOW HIGH and a label for each value`);
    const count = number(args[2]!, n) - number(args[1]!, n) + 1;
    if (count < 1 || args.length !== 3 + count) throw new RangeError(`Line ${n}: ${mnemonic} ${args[1]}..${args[2]} needs ${Math.max(count, 0)} labels, got ${args.length - 3}`);
    return `S${wide ? "ii" : "ss"}${"S".repeat(count)}`;
  }
  const pairs = args.length >= 2 ? number(args[1]!, n) : -1;
  if (pairs < 0 || args.length !== 2 + 2 * pairs) throw new RangeError(`Line ${n}: ${mnemonic} takes DEFAULT NPAIRS and NPAIRS match-label pairs`);
  const matches = args.filter((_, i) => i >= 2 && i % 2 === 0).map((a) => number(a, n));
  if (matches.some((m, i) => i > 0 && m <= matches[i - 1]!)) throw new RangeError(`Line ${n}: ${mnemonic} matches must be sorted ascending (JCVM §7.5 slookupswitch)`);
  return `Ss${(wide ? "iS" : "sS").repeat(pairs)}`;
}

/** An exception handler of the assembled code: offsets from its first bytecode (§6.10 exception_handler_info). */
export interface AssembledHandler {
  start: number;
  end: number;
  handler: number;
  /** Constant pool index of the caught class (0: any). */
  catchType: number;
}

/** Assemble `source`; `constants` maps `#name` to constant pool indices. A mistake is a RangeError naming the line. */
export function assemble(source: string, constants: Readonly<Record<string, number>> = {}): (number | Uint8Array)[] {
  return assembleMethod(source, constants).code;
}

/** Assemble `source` with its `.catch` lines: the code and its exception handlers. */
export function assembleMethod(source: string, constants: Readonly<Record<string, number>> = {}): { code: (number | Uint8Array)[]; handlers: AssembledHandler[] } {
  const lines = source
    .split("\n")
    .map((l, n) => ({ text: l.replace(/;.*$/, "").trim(), n: n + 1 }))
    .filter((l) => l.text.length > 0);
  const labels = new Map<string, number>();
  const parsed: { at: number; n: number; mnemonic: string; args: string[]; layout: string }[] = [];
  const catches: { n: number; args: string[] }[] = [];
  let at = 0;
  for (const { text, n } of lines) {
    if (text.startsWith(".catch")) {
      const args = text.split(/\s+/).slice(1);
      if (args.length !== 4) throw new RangeError(`Line ${n}: .catch takes START END HANDLER TYPE`);
      catches.push({ n, args });
      continue;
    }
    const label = /^([A-Za-z_]\w*):$/.exec(text);
    if (label) {
      if (labels.has(label[1]!)) throw new RangeError(`Line ${n}: label ${label[1]} is defined twice`);
      labels.set(label[1]!, at);
      continue;
    }
    const [mnemonic, ...args] = text.split(/\s+/) as [string, ...string[]];
    const format = FORMATS[mnemonic];
    if (!format) throw new RangeError(`Line ${n}: unknown instruction '${mnemonic}'`);
    const layout = format[1] === "*" ? switchLayout(mnemonic, args, n) : format[1];
    if (args.length !== layout.length) throw new RangeError(`Line ${n}: ${mnemonic} takes ${layout.length} operand(s), got ${args.length}`);
    parsed.push({ at, n, mnemonic, args, layout });
    at += 1 + [...layout].reduce((s, k) => s + SIZE[k]!, 0);
  }
  const out: (number | Uint8Array)[] = [];
  for (const { at: opAt, n, mnemonic, args, layout } of parsed) {
    out.push(FORMATS[mnemonic]![0]);
    [...layout].forEach((kind, i) => {
      const arg = args[i]!;
      if (kind === "B" || kind === "S") {
        const target = labels.get(arg);
        if (target === undefined) throw new RangeError(`Line ${n}: no label '${arg}'`);
        const d = target - opAt;
        if (kind === "B" && (d < -128 || d > 127)) throw new RangeError(`Line ${n}: '${arg}' is ${d} bytes away: use ${mnemonic}_w`);
        if (d < -32768 || d > 32767) throw new RangeError(`Line ${n}: '${arg}' is ${d} bytes away, beyond a 2-byte branch`);
        out.push(...(kind === "B" ? [d & 0xff] : [(d >> 8) & 0xff, d & 0xff]));
      } else if (kind === "c" || kind === "C") {
        const index = arg.startsWith("#") ? constants[arg.slice(1)] : number(arg, n);
        if (index === undefined) throw new RangeError(`Line ${n}: no constant '${arg}'`);
        out.push(kind === "c" ? index & 0xff : u16(index));
      } else {
        const v = number(arg, n);
        if (kind === "b") out.push(v & 0xff);
        else if (kind === "s") out.push((v >> 8) & 0xff, v & 0xff);
        else out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
      }
    });
  }
  const handlers = catches.map(({ n, args }) => {
    const [start, end, handler] = args.slice(0, 3).map((l) => {
      const v = labels.get(l);
      if (v === undefined) throw new RangeError(`Line ${n}: no label '${l}'`);
      return v;
    }) as [number, number, number];
    if (end <= start) throw new RangeError(`Line ${n}: the range ${args[0]}..${args[1]} is empty`);
    const type = args[3]!;
    const catchType = type.startsWith("#") ? constants[type.slice(1)] : number(type, n);
    if (catchType === undefined) throw new RangeError(`Line ${n}: no constant '${type}'`);
    return { start, end, handler, catchType };
  });
  return { code: out, handlers };
}

function number(text: string, line: number): number {
  const v = Number(text);
  if (!Number.isInteger(v)) throw new RangeError(`Line ${line}: '${text}' is not a number`);
  return v;
}
