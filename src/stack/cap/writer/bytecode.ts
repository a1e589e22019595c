/**
 * The bytecode of a minimal applet class (JCVM 2.2.2 chapter 7), the same
 * shape the Java Card converter emits for:
 *
 *   public class X extends javacard.framework.Applet {
 *     private X(byte[] b, short off, byte len) { register(b, (short) (off + 1), b[off]); }
 *     public static void install(byte[] b, short off, byte len) { new X(b, off, len); }
 *     public void process(APDU apdu) { }            // answers 9000 to everything
 *   }
 *
 * Each method is method_header_info (§6.9.2: flags|max_stack, nargs|max_locals)
 * then its bytecodes. `cpRefs` are the offsets (within the method) of 2-byte
 * constant pool indices, which the RefLocation component must list (§6.11).
 */
import { concat, u16 } from "../../bytes.ts";

/** Opcodes used here, JCVM 2.2.2 §7.5. */
export const OP = {
  nop: 0x00,
  sconst_1: 0x04,
  aload_0: 0x18,
  aload_1: 0x19,
  sload_1: 0x1d,
  sload_2: 0x1e,
  baload: 0x25,
  pop: 0x3b,
  dup: 0x3d,
  sadd: 0x41,
  areturn: 0x77,
  return: 0x7a,
  invokevirtual: 0x8b,
  invokespecial: 0x8c,
  new: 0x8f,
} as const;

export interface MethodCode {
  /** method_header_info followed by the bytecodes. */
  bytes: Uint8Array;
  /** Offsets in `bytes` of 2-byte constant pool indices. */
  cpRefs: number[];
  /** Number of bytecode bytes (without the header), for the Descriptor. */
  bytecodeCount: number;
}

function method(maxStack: number, nargs: number, maxLocals: number, code: (number | Uint8Array)[]): MethodCode {
  const header = [maxStack & 0x0f, ((nargs & 0x0f) << 4) | (maxLocals & 0x0f)];
  const cpRefs: number[] = [];
  let offset = 2;
  for (const part of code) {
    if (part instanceof Uint8Array) cpRefs.push(offset);
    offset += part instanceof Uint8Array ? part.length : 1;
  }
  return { bytes: concat(...header, ...code), cpRefs, bytecodeCount: offset - 2 };
}

/** The private constructor: super(); register(bArray, (short)(bOffset + 1), bArray[bOffset]). */
export function constructorCode(cpAppletInit: number, cpRegister: number): MethodCode {
  // nargs 4: this, bArray, bOffset, bLength (a byte argument takes one cell, JCVM §3.1).
  return method(5, 4, 0, [
    OP.aload_0, OP.invokespecial, u16(cpAppletInit),
    OP.aload_0, OP.aload_1, OP.sload_2, OP.sconst_1, OP.sadd, OP.aload_1, OP.sload_2, OP.baload,
    OP.invokevirtual, u16(cpRegister),
    OP.return,
  ]);
}

/** The static install method: new X(bArray, bOffset, bLength). */
export function installCode(cpClass: number, cpConstructor: number): MethodCode {
  return method(5, 3, 0, [
    OP.new, u16(cpClass), OP.dup, OP.aload_0, OP.sload_1, OP.sload_2,
    OP.invokespecial, u16(cpConstructor), OP.pop, OP.return,
  ]);
}

/** process(APDU): return, so every command gets 9000; or the body given. */
export function processCode(body?: { maxStack: number; maxLocals: number; code: (number | Uint8Array)[] }): MethodCode {
  if (!body) return method(0, 2, 0, [OP.return]);
  return method(body.maxStack, 2, body.maxLocals, body.code);
}

/** A method of the exported Shareable interface, as the applet implements it. */
export function sharedCode(body: { nargs: number; maxStack: number; maxLocals: number; code: (number | Uint8Array)[] }): MethodCode {
  return method(body.maxStack, body.nargs, body.maxLocals, body.code);
}

/** getShareableInterfaceObject(AID clientAID, byte parameter): return this. */
export function getSioCode(): MethodCode {
  return method(1, 3, 0, [OP.aload_0, OP.areturn]);
}

/** A private static method of `size` bytes in all (header, nops, return), never called: padding for size tests. */
export function paddingCode(size: number): MethodCode {
  if (size < 3) throw new RangeError(`A padding method needs at least 3 bytes, not ${size}`);
  // Header 00 00 (max_stack 0, nargs 0, max_locals 0); OP.nop is 00, so a zeroed body is all nops.
  return { bytes: concat(0, 0, new Uint8Array(size - 3), OP.return), cpRefs: [], bytecodeCount: size - 2 };
}
