/**
 * RSA and prime-field EC keys of javacard.security (JC API 3.0.5 KeyBuilder
 * TYPE_RSA_PUBLIC/PRIVATE/CRT_PRIVATE, TYPE_EC_FP_PUBLIC/PRIVATE and their
 * transient forms; RSAPublicKey, RSAPrivateKey, RSAPrivateCrtKey, ECKey,
 * ECPublicKey, ECPrivateKey). Components are kept as the applet set them
 * (big-endian, leading zeros dropped) in the key object's state, which the
 * card's memory keeps; a transient key loses them at power loss. A key is
 * initialized when every component its interface names is set.
 */
import { TRANSIENT, type JObject } from "../model.ts";
import type { Vm } from "../vm.ts";
import { noSuchAlgorithm } from "./crypto-basic.ts";
import { EC_NATIVES } from "./ec-key-natives.ts";
import { defineImpl, implClass } from "./impl-class.ts";
import type { AsymForm, AsymKeyState } from "./key-parts.ts";
import type { NativeTable } from "./native.ts";
import { RSA_CRT_NATIVES, RSA_NATIVES } from "./rsa-key-natives.ts";

/** KeyBuilder types of asymmetric keys: type → form and transient kind. */
const ASYM_TYPES: Readonly<Record<number, { form: AsymForm; transient: number }>> = {
  4: { form: "rsa-public", transient: TRANSIENT.NONE },
  5: { form: "rsa-private", transient: TRANSIENT.NONE },
  6: { form: "rsa-crt", transient: TRANSIENT.NONE },
  22: { form: "rsa-private", transient: TRANSIENT.CLEAR_ON_RESET },
  23: { form: "rsa-private", transient: TRANSIENT.CLEAR_ON_DESELECT },
  24: { form: "rsa-crt", transient: TRANSIENT.CLEAR_ON_RESET },
  25: { form: "rsa-crt", transient: TRANSIENT.CLEAR_ON_DESELECT },
  11: { form: "ec-public", transient: TRANSIENT.NONE },
  12: { form: "ec-private", transient: TRANSIENT.NONE },
  30: { form: "ec-private", transient: TRANSIENT.CLEAR_ON_RESET },
  31: { form: "ec-private", transient: TRANSIENT.CLEAR_ON_DESELECT },
};

/** KeyBuilder.LENGTH_RSA_* and LENGTH_EC_FP_*. */
const RSA_LENGTHS: readonly number[] = [512, 736, 768, 896, 1024, 1280, 1536, 1984, 2048, 3072, 4096];
const EC_FP_LENGTHS: readonly number[] = [112, 128, 160, 192, 224, 256, 384, 521];

const INTERFACE: Readonly<Record<AsymForm, string>> = {
  "rsa-public": "javacard.security.RSAPublicKey",
  "rsa-private": "javacard.security.RSAPrivateKey",
  "rsa-crt": "javacard.security.RSAPrivateCrtKey",
  "ec-public": "javacard.security.ECPublicKey",
  "ec-private": "javacard.security.ECPrivateKey",
};

const NATIVES_OF: Readonly<Record<AsymForm, NativeTable>> = {
  "rsa-public": RSA_NATIVES,
  "rsa-private": RSA_NATIVES,
  "rsa-crt": RSA_CRT_NATIVES,
  "ec-public": EC_NATIVES,
  "ec-private": EC_NATIVES,
};

const keyClasses = Object.fromEntries(
  (Object.keys(INTERFACE) as AsymForm[]).map((form) => {
    const name = `${INTERFACE[form]}$card`;
    return [
      form,
      defineImpl(name, (api) => implClass(api, name, "java.lang.Object", NATIVES_OF[form], [INTERFACE[form]]), (saved) => {
        // A transient key's components do not survive power loss.
        const st = saved as unknown as AsymKeyState;
        return st.transient === TRANSIENT.NONE ? st : { ...st, parts: {} };
      }),
    ];
  }),
) as Record<AsymForm, (api: Vm["api"]) => ReturnType<typeof implClass>>;

/** KeyBuilder.buildKey for an asymmetric type; undefined when `type` is not one. */
export function buildAsymKey(vm: Vm, type: number, bits: number): JObject | undefined {
  const t = ASYM_TYPES[type];
  if (!t) return undefined;
  const lengths = t.form.startsWith("rsa") ? RSA_LENGTHS : EC_FP_LENGTHS;
  if (!lengths.includes(bits)) noSuchAlgorithm(vm);
  const obj = vm.newObject(keyClasses[t.form](vm.api));
  obj.native = { type, family: t.form.startsWith("rsa") ? "RSA" : "EC", form: t.form, bits, transient: t.transient, parts: {} } satisfies AsymKeyState;
  return obj;
}
