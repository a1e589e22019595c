/** The card manager's registry records as CardApplication's registry views. */
import { PRIV1 } from "../../stack/gp/constants.ts";
import { implicitOf } from "./implicit-selection.ts";
import type { RegistryApplication, RegistryLoadFile } from "../application.ts";
import type { ApplicationRecord, LoadFileRecord } from "../store/registry.ts";

/** A BER length for a C9 field. */
export function lengthOf(v: Uint8Array): number[] {
  return v.length < 0x80 ? [v.length] : v.length <= 0xff ? [0x81, v.length] : [0x82, v.length >> 8, v.length & 0xff];
}

/** An application record as the registry view. */
export function appView(a: ApplicationRecord): RegistryApplication {
  const implicit = implicitOf(a.params);
  return {
    aid: a.aid,
    lifecycle: a.lifecycle,
    privileges: a.privileges,
    loadFile: a.loadFile,
    module: a.module,
    securityDomain: a.sdAid,
    ...(implicit.length ? { implicitSelection: implicit } : {}),
  };
}

/** A load file record as the registry view. */
export function loadFileView(f: LoadFileRecord): RegistryLoadFile {
  return {
    aid: f.aid,
    lifecycle: f.lifecycle,
    version: { major: f.major, minor: f.minor },
    modules: f.modules,
    builtin: false,
    size: f.size,
    securityDomain: f.sdAid,
    ...(f.packages.length > 0 ? { packages: f.packages.map((p) => ({ aid: p.aid, version: { major: p.major, minor: p.minor } })) } : {}),
  };
}

/** ISD privileges without card reset (held by an application). */
export function withoutCardReset(p: Uint8Array): Uint8Array {
  const out = p.slice();
  out[0] = (out[0] ?? 0) & ~PRIV1.CARD_RESET;
  return out;
}
