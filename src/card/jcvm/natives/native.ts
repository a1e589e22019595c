/**
 * A method of the Java Card API implemented in TypeScript. It gets the
 * arguments as values (shorts, bytes and booleans as numbers, ints as one
 * number, references), `this` first for instance methods, and returns the
 * value the descriptor says (nothing for V).
 */
import type { Value } from "../model.ts";
import type { Vm } from "../vm.ts";

/** The arguments as a tuple, so that destructuring gives values (a native never reads past its descriptor). */
export type Args = [Value, Value, Value, Value, Value, Value, Value, Value];

export type NativeMethod = (vm: Vm, args: Args) => Value | void;

/** Natives of one API class: "name(descriptor)" → implementation. */
export type NativeTable = Record<string, NativeMethod>;

/** Number of stack cells of the arguments in a method descriptor (ints take two), `this` excluded. */
export function argCells(descriptor: string): number {
  let n = 0;
  let i = 1;
  while (descriptor[i] !== ")") {
    const c = descriptor[i]!;
    if (c === "I") {
      n += 2;
      i++;
    } else if (c === "L") {
      n++;
      i = descriptor.indexOf(";", i) + 1;
    } else if (c === "[") {
      n++;
      while (descriptor[i] === "[") i++;
      i = descriptor[i] === "L" ? descriptor.indexOf(";", i) + 1 : i + 1;
    } else {
      n++;
      i++;
    }
  }
  return n;
}

/** The argument kinds of a descriptor: "I" for an int (two cells), "R" for a reference, "S" for any other one-cell value. */
export function argKinds(descriptor: string): string {
  let out = "";
  let i = 1;
  while (descriptor[i] !== ")") {
    const c = descriptor[i]!;
    if (c === "L") {
      out += "R";
      i = descriptor.indexOf(";", i) + 1;
    } else if (c === "[") {
      out += "R";
      while (descriptor[i] === "[") i++;
      i = descriptor[i] === "L" ? descriptor.indexOf(";", i) + 1 : i + 1;
    } else {
      out += c === "I" ? "I" : "S";
      i++;
    }
  }
  return out;
}

/** The return kind: "V", "I", "R" or "S". */
export function returnKind(descriptor: string): "V" | "I" | "R" | "S" {
  const c = descriptor[descriptor.indexOf(")") + 1]!;
  return c === "V" ? "V" : c === "I" ? "I" : c === "L" || c === "[" ? "R" : "S";
}
