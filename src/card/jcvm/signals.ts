/**
 * How control leaves a method other than by returning: a Java exception
 * (caught by the exception handler tables, JCVM 3.0.5 §7.5 athrow), or a
 * VM abort that no Java code can catch (bytecode budget, stack depth, a
 * broken package): the card answers 6F00 and goes on.
 */
import type { JObject } from "./model.ts";

/** A thrown Java object (a Throwable's instance). */
export class JavaThrow extends Error {
  override name = "JavaThrow";
  constructor(readonly object: JObject) {
    super(`Java exception ${object.cls.name}`);
  }
}

/** Execution stops for the whole command; the card answers 6F00 (or the given SW). */
export class VmAbort extends Error {
  override name = "VmAbort";
  constructor(
    message: string,
    readonly sw = 0x6f00,
  ) {
    super(message);
  }
}
