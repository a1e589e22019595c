/**
 * Exception handler lookup (JCVM 3.0.5 §6.10, §7.5 athrow): the
 * Method component's table lists handlers in order, inner ones first, so
 * the first one whose range covers the pc and whose catch type the thrown
 * object is wins; catch type 0 catches everything (`finally`).
 */
import type { ExecPackage } from "./exec-package.ts";
import type { JObject } from "./model.ts";
import * as cp from "./resolve.ts";
import { isInstance } from "./types.ts";
import type { Vm } from "./vm.ts";

/** The handler's pc for `thrown` at `pc`, or undefined when the method does not catch it. */
export function findHandler(vm: Vm, pkg: ExecPackage, pc: number, thrown: JObject): number | undefined {
  for (const h of pkg.method.handlers) {
    if (pc < h.start || pc >= h.end) continue;
    if (h.catchType === 0) return h.handler;
    const cls = cp.classRef(vm, pkg, h.catchType);
    if (isInstance(thrown, 0, cls)) return h.handler;
  }
  return undefined;
}
