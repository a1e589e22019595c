/**
 * INSTALL (GP 11.5): `80 E6 P1 00 Lc data 00`, data a sequence of
 * one-byte-length-prefixed fields (LV), not TLV.
 *
 *   [for load]             Lpkg pkgAID | Lsd sdAID | Lhash hash | Lparams params | Ltoken token
 *   [for install]          Lpkg pkgAID | Lmod moduleAID | Linst instanceAID | Lpriv privs | Lparams params | Ltoken token
 *   [for make selectable]  00 | 00 | Linst instanceAID | Lpriv privs | 00 | Ltoken token
 *   [for extradition]      Lsd sdAID | 00 | Laid appOrLoadFileAID | 00 | Lparams params | Ltoken token
 *   [for registry update]  Lsd sdAID | 00 | Laid appAID | Lpriv privs | Lparams params | Ltoken token
 *   [for personalization]  00 | 00 | Laid appAID | 00 | 00 | 00
 */
import { CommandApdu } from "../apdu.ts";
import { concat } from "../bytes.ts";
import { CLA, INS, INSTALL_P1 } from "./constants.ts";
import { installParams } from "./install-params.ts";
import { encodePrivileges } from "./privileges.ts";

/** One LV field; INSTALL fields are at most 255 bytes. */
function lv(value: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (value.length > 255) throw new RangeError(`INSTALL field of ${value.length} bytes exceeds 255`);
  return concat(Uint8Array.of(value.length), value);
}

function install(p1: number, data: Uint8Array): CommandApdu {
  return new CommandApdu({ cla: CLA.GP, ins: INS.INSTALL, p1, p2: 0x00, data, ne: 256 });
}

export interface InstallForLoadFields {
  packageAid: Uint8Array;
  /** The security domain that gets the load file; peers name the ISD. Empty means the card's choice. */
  securityDomainAid?: Uint8Array;
  /** Load File Data Block hash (GP C.2); empty unless DAP or delegated management needs it. */
  hash?: Uint8Array;
  /** Load parameters (tag EF system parameters). */
  params?: Uint8Array;
  token?: Uint8Array;
}

/** INSTALL [for load] (GP 11.5.2.3.1). */
export function installForLoad(f: InstallForLoadFields): CommandApdu {
  return install(
    INSTALL_P1.FOR_LOAD,
    concat(lv(f.packageAid), lv(f.securityDomainAid), lv(f.hash), lv(f.params), lv(f.token)),
  );
}

export interface InstallForInstallFields {
  packageAid: Uint8Array;
  /** The applet class AID in the package (the module). */
  moduleAid: Uint8Array;
  /** The AID the new instance answers to; usually the module AID. */
  instanceAid: Uint8Array;
  /** Privileges as a 24-bit number (byte 1 in the top byte); see privileges.ts. */
  privileges?: number;
  /** Raw applet parameters or a full install parameter field; see install-params.ts. */
  params?: Uint8Array;
  token?: Uint8Array;
  /** Also make the instance selectable (P1 0C, the usual case); false for install only (04). */
  selectable?: boolean;
}

/** INSTALL [for install] or [for install and make selectable] (GP 11.5.2.3.2). */
export function installForInstall(f: InstallForInstallFields): CommandApdu {
  const p1 = f.selectable === false ? INSTALL_P1.FOR_INSTALL : INSTALL_P1.FOR_INSTALL_AND_MAKE_SELECTABLE;
  return install(
    p1,
    concat(
      lv(f.packageAid),
      lv(f.moduleAid),
      lv(f.instanceAid),
      lv(encodePrivileges(f.privileges ?? 0)),
      lv(installParams(f.params)),
      lv(f.token),
    ),
  );
}

/** INSTALL [for make selectable] (GP 11.5.2.3.3); with the card-reset privilege it makes the instance default selected. */
export function installForMakeSelectable(instanceAid: Uint8Array, privileges = 0, token?: Uint8Array): CommandApdu {
  return install(
    INSTALL_P1.FOR_MAKE_SELECTABLE,
    concat(lv(), lv(), lv(instanceAid), lv(encodePrivileges(privileges)), lv(), lv(token)),
  );
}

/** INSTALL [for extradition] (GP 11.5.2.3.4): move an application or load file to the security domain `sdAid`. */
export function installForExtradition(sdAid: Uint8Array, aid: Uint8Array, token?: Uint8Array): CommandApdu {
  return install(INSTALL_P1.FOR_EXTRADITION, concat(lv(sdAid), lv(), lv(aid), lv(), lv(), lv(token)));
}

/**
 * INSTALL [for registry update] (GP 11.5.2.3.5): change an application's
 * privileges (and, with `sdAid`, move it like extradition). Privileges are
 * sent only when given: an empty field keeps them.
 */
export function installForRegistryUpdate(f: { aid: Uint8Array; sdAid?: Uint8Array; privileges?: number; params?: Uint8Array; token?: Uint8Array }): CommandApdu {
  const privs = f.privileges === undefined ? new Uint8Array(0) : encodePrivileges(f.privileges);
  return install(INSTALL_P1.FOR_REGISTRY_UPDATE, concat(lv(f.sdAid), lv(), lv(f.aid), lv(privs), lv(f.params), lv(f.token)));
}

/** INSTALL [for personalization] (GP 11.5.2.3.6): the following STORE DATA go to `aid` through its security domain. */
export function installForPersonalization(aid: Uint8Array): CommandApdu {
  return install(INSTALL_P1.FOR_PERSONALIZATION, concat(lv(), lv(), lv(aid), lv(), lv(), lv()));
}
