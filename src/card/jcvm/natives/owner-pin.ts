/**
 * javacard.framework.OwnerPIN (JC API 3.0.5): the try counter is
 * decremented before the comparison and is not rolled back by a transaction
 * abort (so a tear cannot give an attacker free tries); the validated flag
 * is transient (cleared on reset and deselect).
 */
import { equal } from "../../../stack/bytes.ts";
import type { JObject } from "../model.ts";
import type { Vm } from "../vm.ts";
import { readBytes } from "./applet-aid.ts";
import type { NativeTable } from "./native.ts";

export interface PinState {
  tryLimit: number;
  maxSize: number;
  tries: number;
  pin: Uint8Array;
  validated: boolean;
}

/** PINException.ILLEGAL_VALUE. */
const PIN_ILLEGAL_VALUE = 1;

function pin(self: unknown): PinState {
  return (self as JObject).native as PinState;
}

export const OWNER_PIN: Record<string, NativeTable> = {
  "javacard.framework.OwnerPIN": {
    "<init>(BB)V": (vm, [self, tryLimit, maxSize]) => {
      if ((tryLimit as number) < 1 || (maxSize as number) < 1) vm.throwJava("javacard.framework.PINException", PIN_ILLEGAL_VALUE);
      const limit = tryLimit as number;
      (self as JObject).native = { tryLimit: limit, maxSize: maxSize as number, tries: limit, pin: new Uint8Array(0), validated: false } satisfies PinState;
      vm.heap.changed(self as JObject);
    },
    "update([BSB)V": (vm, [self, arr, off, len]) => {
      const p = pin(self);
      if ((len as number) > p.maxSize || (len as number) < 0) vm.throwJava("javacard.framework.PINException", PIN_ILLEGAL_VALUE);
      p.pin = readBytes(vm, arr, off as number, len as number);
      p.tries = p.tryLimit;
      p.validated = false;
      vm.heap.changed(self as JObject);
    },
    "check([BSB)Z": (vm: Vm, [self, arr, off, len]) => {
      const p = pin(self);
      p.validated = false;
      if (p.tries === 0) return 0;
      p.tries--;
      vm.heap.changed(self as JObject);
      if ((len as number) !== p.pin.length) return 0;
      if (!equal(readBytes(vm, arr, off as number, len as number), p.pin)) return 0;
      p.tries = p.tryLimit;
      p.validated = true;
      return 1;
    },
    "getTriesRemaining()B": (_vm, [self]) => pin(self).tries,
    "isValidated()Z": (_vm, [self]) => (pin(self).validated ? 1 : 0),
    "getValidatedFlag()Z": (_vm, [self]) => (pin(self).validated ? 1 : 0),
    "setValidatedFlag(Z)V": (_vm, [self, v]) => {
      pin(self).validated = v !== 0;
    },
    "reset()V": (vm, [self]) => {
      const p = pin(self);
      if (p.validated) {
        p.tries = p.tryLimit;
        vm.heap.changed(self as JObject);
      }
      p.validated = false;
    },
    "resetAndUnblock()V": (vm, [self]) => {
      const p = pin(self);
      p.tries = p.tryLimit;
      p.validated = false;
      vm.heap.changed(self as JObject);
    },
  },
};
