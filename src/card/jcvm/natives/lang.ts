/** java.lang natives: Object and the Java Card exceptions' common behaviour (reason, throwIt). */
import type { JObject } from "../model.ts";
import type { NativeTable } from "./native.ts";

export const LANG: Record<string, NativeTable> = {
  "java.lang.Object": {
    "<init>()V": () => {},
    "equals(Ljava/lang/Object;)Z": (_vm, [self, other]) => (self === other ? 1 : 0),
  },
};

/** Exception classes that carry a short reason code (CardException, CardRuntimeException and their subclasses). */
export const REASON_EXCEPTIONS = [
  "javacard.framework.CardException",
  "javacard.framework.CardRuntimeException",
  "javacard.framework.APDUException",
  "javacard.framework.ISOException",
  "javacard.framework.PINException",
  "javacard.framework.SystemException",
  "javacard.framework.TransactionException",
  "javacard.framework.UserException",
  "javacard.security.CryptoException",
  "javacard.framework.service.ServiceException",
  "javacardx.framework.util.UtilException",
  "javacardx.framework.tlv.TLVException",
  "javacardx.external.ExternalException",
  "javacardx.biometry.BioException",
  "javacardx.framework.string.StringException",
];

function reasonOf(obj: JObject): number {
  return (obj.native as { reason?: number } | undefined)?.reason ?? 0;
}

/** The natives of each reason-carrying exception: constructor(S), getReason, setReason, static throwIt(S). */
export function exceptionNatives(): Record<string, NativeTable> {
  const out: Record<string, NativeTable> = {};
  for (const name of REASON_EXCEPTIONS) {
    out[name] = {
      "<init>(S)V": (_vm, [self, reason]) => {
        (self as JObject).native = { reason: reason as number };
      },
      "getReason()S": (_vm, [self]) => reasonOf(self as JObject),
      "setReason(S)V": (_vm, [self, reason]) => {
        (self as JObject).native = { reason: reason as number };
      },
      "throwIt(S)V": (vm, [reason]) => vm.throwJava(name, reason as number),
    };
  }
  return out;
}

/** The reason of a Java Card exception object (0 for others). */
export function exceptionReason(obj: JObject): number {
  return reasonOf(obj);
}
