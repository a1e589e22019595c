/**
 * Install parameters of INSTALL [for install] (GP 11.5.2.3.7): a TLV field that
 * must hold tag C9 (application specific parameters, possibly empty), and may
 * hold EF (system parameters). Users give either that field or raw applet
 * parameters, which are wrapped in C9.
 */
import { encodeTlv, parseTlvs } from "../tlv.ts";
import { TAG } from "./constants.ts";

/** The default install parameter field: an empty C9. */
const EMPTY_INSTALL_PARAMS = Uint8Array.of(TAG.APP_PARAMS, 0x00);

/** Whether `bytes` already is an install parameter field: well-formed TLVs, one of them C9. */
function isInstallParamField(bytes: Uint8Array): boolean {
  if (bytes[0] !== TAG.APP_PARAMS) return false;
  try {
    return parseTlvs(bytes).some((t) => t.tag === TAG.APP_PARAMS);
  } catch {
    return false;
  }
}

/** The install parameter field for `params`: `C9 00` when none, kept when already a field, else wrapped in C9. */
export function installParams(params?: Uint8Array): Uint8Array {
  if (params === undefined || params.length === 0) return EMPTY_INSTALL_PARAMS;
  if (isInstallParamField(params)) return params;
  return encodeTlv(TAG.APP_PARAMS, params);
}
