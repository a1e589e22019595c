/**
 * javacard.security.Checksum (JC API 3.0.5): ALG_ISO3309_CRC16 and
 * ALG_ISO3309_CRC32 (crypto/crc.ts). init sets the initial register value
 * (2 or 4 bytes, default 0); doFinal outputs the complemented register,
 * big-endian, and the object returns to its state after init. The running
 * register is RAM: it never joins a transaction and a tear resets it.
 */
import { crc16Update, crc32Update } from "../crypto/crc.ts";
import type { JObject, Value } from "../model.ts";
import type { Vm } from "../vm.ts";
import { readBytes, writeBytes } from "./applet-aid.ts";
import { CRYPTO_REASON, noSuchAlgorithm } from "./crypto-basic.ts";
import { defineImpl, implClass } from "./impl-class.ts";
import type { NativeTable } from "./native.ts";

const CRYPTO = "javacard.security.CryptoException";
const LENGTH: Readonly<Record<number, number>> = { 1: 2, 2: 4 };

interface ChecksumState {
  alg: number;
  initial: number;
  register: number;
}

function st(self: Value): ChecksumState {
  return (self as JObject).native as ChecksumState;
}

function update(s: ChecksumState, data: Uint8Array): void {
  s.register = s.alg === 1 ? crc16Update(s.register, data) : crc32Update(s.register, data);
}

const checksumClass = defineImpl(
  "javacard.security.Checksum$card",
  (api) =>
    implClass(api, "javacard.security.Checksum$card", "javacard.security.Checksum", {
      "getAlgorithm()B": (_vm, [self]) => st(self).alg,
      "init([BSS)V": (vm, [self, arr, off, len]) => {
        const s = st(self);
        if (len !== LENGTH[s.alg]) vm.throwJava(CRYPTO, CRYPTO_REASON.ILLEGAL_VALUE);
        const v = readBytes(vm, arr, off as number, len as number).reduce((acc, b) => acc * 256 + b, 0);
        s.initial = v;
        s.register = v;
        vm.heap.changed(self as JObject);
      },
      "update([BSS)V": (vm, [self, arr, off, len]) => update(st(self), readBytes(vm, arr, off as number, len as number)),
      "doFinal([BSS[BS)S": (vm, [self, arr, off, len, out, outOff]) => {
        const s = st(self);
        update(s, readBytes(vm, arr, off as number, len as number));
        const n = LENGTH[s.alg]!;
        const fcs = ~s.register >>> 0;
        const bytes = n === 2 ? new Uint8Array([(fcs >> 8) & 0xff, fcs & 0xff]) : new Uint8Array([fcs >>> 24, (fcs >> 16) & 0xff, (fcs >> 8) & 0xff, fcs & 0xff]);
        s.register = s.initial;
        writeBytes(vm, out, outOff as number, bytes);
        return n;
      },
    }),
  (saved) => ({ ...(saved as unknown as ChecksumState), register: (saved as unknown as ChecksumState).initial }),
);

export const CHECKSUM: Record<string, NativeTable> = {
  "javacard.security.Checksum": {
    "getInstance(BZ)Ljavacard/security/Checksum;": (vm, [alg, shared]) => {
      if (!LENGTH[alg as number] || shared !== 0) return noSuchAlgorithm(vm);
      const obj = vm.newObject(checksumClass(vm.api));
      obj.native = { alg: alg as number, initial: 0, register: 0 } satisfies ChecksumState;
      return obj;
    },
    "<init>()V": () => {},
  },
};
