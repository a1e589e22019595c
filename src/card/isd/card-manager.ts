/**
 * The card manager (IL): the registry operations behind INSTALL, LOAD and
 * DELETE, shared by the ISD's APDU handlers and by on-card applications
 * (AppContext.cardManager). Every check lives here once; the APDU handlers
 * only parse bytes. Memory: stored load files, instances and application
 * data count against the card's size.
 */
import { deleteChecks, packageHolder } from "./extended-packages.ts";
import { equal, toHex } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import { APP_LIFECYCLE, CARD_LIFECYCLE, PRIV1 } from "../../stack/gp/constants.ts";
import { capFormatsOf, type ApiPackage } from "../../stack/cap/javacard-api.ts";
import type { CardManager, Registry as RegistryView, RegistryApplication, RegistryLoadFile } from "../application.ts";
import { refuse } from "../refusal.ts";
import type { CardStore } from "../store/store.ts";
import { META } from "../store/schema.ts";
import type { ApplicationRecord, LoadFileRecord, Registry } from "../store/registry.ts";
import { PendingLoads } from "../store/pending-load.ts";
import { checkLoadFile, hashLengthOk } from "./load-checks.ts";
import { checkAidLength, checkInstallParams, normalisePrivileges } from "./install-checks.ts";
import { checkImplicitSelection, contactDefault } from "./implicit-selection.ts";
import { appView, lengthOf, loadFileView, withoutCardReset } from "./registry-views.ts";
import { DomainKeys } from "../store/domain-keys.ts";
import { isDomainRecord, SD_MODULE_AID, SD_PACKAGE_AID } from "./sd-module.ts";

/** Bytes an application instance takes besides its parameters (object headers, registry entry). */
const INSTANCE_BYTES = 64;

/** Largest command data field the ISD takes (its FCI 9F65). */
const ISD_BLOCK_SIZE = 255;

export interface CardManagerDeps {
  store: CardStore;
  registry: Registry;
  memoryBytes: number;
  api: readonly ApiPackage[];
  javaCardVersion: string;
  /** AIDs of the in-process CardApplications installed now. */
  builtinAids: () => Uint8Array[];
  /** Largest command data field the ISD announces in its FCI (9F65); default 255. */
  blockSize?: number;
  /** The ISD's privileges as they are now (Mandated DAP comes from the card's settings). */
  isdPrivileges?: () => Uint8Array;
  /** The runtime that executes applets (the JCVM), when the card runs them. */
  applets?: AppletRuntime;
}

/** What the card manager asks of the runtime that executes installed applets. */
export interface AppletRuntime {
  /** Run the applet's install method; throws a CardRefusal when it fails (the INSTALL then changes nothing). */
  install(req: InstallRequest): void;
  /** An instance or a load file was deleted: free what the runtime keeps for it. */
  deleted(aid: Uint8Array): void;
  /** Persistent bytes the applets' objects take. */
  usedBytes(): number;
}

export interface InstallRequest {
  loadFile: Uint8Array;
  module: Uint8Array;
  instance: Uint8Array;
  /** 1 or 3 bytes (GP 11.5.2.3.2). */
  privileges: Uint8Array;
  /** The install parameters field (must hold C9). */
  params: Uint8Array;
  selectable: boolean;
  /** The security domain the instance is associated with (default the ISD). */
  sdAid?: Uint8Array;
}

export class IssuerCardManager implements CardManager {
  readonly blockSize: number;
  readonly capVersions: readonly string[];
  readonly javaCardVersion: string;
  readonly pending: PendingLoads;

  constructor(private readonly deps: CardManagerDeps) {
    this.javaCardVersion = deps.javaCardVersion;
    this.blockSize = deps.blockSize ?? ISD_BLOCK_SIZE;
    this.capVersions = capFormatsOf(deps.javaCardVersion);
    this.pending = new PendingLoads();
  }

  get isdAid(): Uint8Array {
    return this.deps.store.meta(META.ISD_AID)!;
  }

  /** Bytes in use: load files, instances with their parameters, application data. */
  usedMemory(): number {
    const r = this.deps.registry;
    let n = r.loadFileBytes() + r.appDataBytes() + (this.deps.applets?.usedBytes() ?? 0);
    for (const a of r.applications()) if (!a.builtin) n += INSTANCE_BYTES + a.params.length;
    return n;
  }

  freeMemory(): number {
    return Math.max(0, this.deps.memoryBytes - this.usedMemory());
  }

  registry(): RegistryView {
    const s = this.deps.store;
    const builtins = this.deps.builtinAids();
    const apps = this.deps.registry
      .applications()
      .filter((a) => !a.builtin || builtins.some((b) => equal(b, a.aid)))
      .map(appView);
    const api: RegistryLoadFile[] = this.deps.api.map((p) => ({
      aid: p.aid,
      lifecycle: APP_LIFECYCLE.LOADED,
      version: { major: p.major, minor: p.minor },
      modules: [],
      builtin: true,
      size: 0,
    }));
    const loaded = this.deps.registry.loadFiles().map(loadFileView);
    // The Security Domain load file every SSD is created from (GP 7.2.1).
    api.push({ aid: SD_PACKAGE_AID, lifecycle: APP_LIFECYCLE.LOADED, version: { major: 1, minor: 0 }, modules: [SD_MODULE_AID], builtin: true, size: 0, securityDomain: this.isdAid });
    return {
      isd: {
        aid: this.isdAid,
        lifecycle: s.metaInt(META.CARD_LIFECYCLE, CARD_LIFECYCLE.SECURED),
        // Card reset (default selected) belongs to one application at a time (GP 2.3.1 section 6.6.1).
        privileges: this.defaultSelected() ? withoutCardReset(this.isdPrivileges()) : this.isdPrivileges(),
      },
      applications: apps,
      loadFiles: [...api, ...loaded],
    };
  }

  private isdPrivileges(): Uint8Array {
    return this.deps.isdPrivileges?.() ?? this.deps.store.meta(META.ISD_PRIVILEGES)!;
  }

  /** INSTALL [for load]: open a load, after checking it can be taken. `sdAid` (empty = the ISD) is checked by the caller. */
  beginLoad(p: { packageAid: Uint8Array; sdAid: Uint8Array; hash: Uint8Array; declared: number }): void {
    const op = "INSTALL [for load]";
    checkAidLength(op, p.packageAid, "load file AID");
    const target = p.sdAid.length > 0 ? p.sdAid : this.isdAid;
    const sdRecord = this.deps.registry.application(target);
    if (!equal(target, this.isdAid) && (!sdRecord || !isDomainRecord(sdRecord))) {
      refuse(op, SW.REFERENCED_DATA_NOT_FOUND, `security domain ${toHex(target)} is not on the card`);
    }
    if (this.packageKnown(p.packageAid)) {
      refuse(op, SW.CONDITIONS_NOT_SATISFIED, `package ${toHex(p.packageAid)} is already on the card`);
    }
    if (!hashLengthOk(p.hash.length)) {
      refuse(op, SW.WRONG_DATA, `a load file hash of ${p.hash.length} bytes is not SHA-1 or SHA-2`);
    }
    const free = this.freeMemory();
    if (p.declared > free) {
      refuse(op, SW.NOT_ENOUGH_MEMORY, `the load parameters declare ${p.declared} bytes, ${free} are free`);
    }
    this.pending.start({ ...p, sdAid: target });
  }

  /** Check a complete LFDB and add it to the registry (the LOAD's last block, or `load`). */
  commitLoad(lfdb: Uint8Array, expect: { packageAid?: Uint8Array; hash?: Uint8Array }, sdAid: Uint8Array = this.isdAid): LoadFileRecord {
    const info = checkLoadFile(lfdb, expect, {
      registry: this.deps.registry,
      api: this.deps.api,
      capVersions: this.capVersions,
      isdAid: this.isdAid,
      builtinAids: this.deps.builtinAids(),
      freeMemory: this.freeMemory(),
    });
    this.deps.registry.addLoadFile(
      {
        aid: info.packageAid,
        major: info.packageVersion.major,
        minor: info.packageVersion.minor,
        lifecycle: APP_LIFECYCLE.LOADED,
        sdAid,
        lfdb,
      },
      info.applets.map((a) => ({ aid: a.aid, installOffset: a.installMethodOffset })),
      info.imports,
    );
    return this.deps.registry.loadFile(info.packageAid)!;
  }

  load(lfdb: Uint8Array, options: { hash?: Uint8Array; declaredSize?: number } = {}): RegistryLoadFile {
    const free = this.freeMemory();
    if ((options.declaredSize ?? 0) > free) {
      refuse("LOAD", SW.NOT_ENOUGH_MEMORY, `the load declares ${options.declaredSize} bytes, ${free} are free`);
    }
    if (options.hash && !hashLengthOk(options.hash.length)) {
      refuse("LOAD", SW.WRONG_DATA, `a load file hash of ${options.hash.length} bytes is not SHA-1 or SHA-2`);
    }
    return loadFileView(this.commitLoad(lfdb, options.hash ? { hash: options.hash } : {}));
  }

  /** INSTALL [for install] (and make selectable). */
  installApp(req: InstallRequest): ApplicationRecord {
    const op = "INSTALL [for install]";
    const reg = this.deps.registry;
    const domainModule = equal(req.loadFile, SD_PACKAGE_AID) && equal(req.module, SD_MODULE_AID);
    const file = domainModule ? { modules: [SD_MODULE_AID] } : reg.loadFile(req.loadFile);
    if (!file) refuse(op, SW.REFERENCED_DATA_NOT_FOUND, `load file ${toHex(req.loadFile)} is not on the card`);
    if (!file.modules.some((m) => equal(m, req.module))) {
      refuse(op, SW.REFERENCED_DATA_NOT_FOUND, `load file ${toHex(req.loadFile)} has no module ${toHex(req.module)}`);
    }
    checkAidLength(op, req.instance, "instance AID");
    if (this.aidInUse(req.instance)) {
      refuse(op, SW.CONDITIONS_NOT_SATISFIED, `instance AID ${toHex(req.instance)} is already used on the card`);
    }
    const privileges = normalisePrivileges(op, req.privileges);
    const makesDomain = (privileges[0]! & PRIV1.SECURITY_DOMAIN) !== 0;
    if (makesDomain !== domainModule) {
      refuse(
        op,
        SW.WRONG_DATA,
        domainModule
          ? `module ${toHex(SD_MODULE_AID)} makes security domains: give the security-domain privilege`
          : `security domains come from module ${toHex(SD_MODULE_AID)} of load file ${toHex(SD_PACKAGE_AID)}`,
      );
    }
    if ((privileges[0]! & PRIV1.CARD_RESET) !== 0 && this.defaultSelected()) {
      refuse(op, SW.CONDITIONS_NOT_SATISFIED, `application ${toHex(this.defaultSelected()!.aid)} already has the default-selected privilege`);
    }
    checkInstallParams(op, req.params);
    checkImplicitSelection(op, req.params, privileges, reg.applications());
    const free = this.freeMemory();
    const need = INSTANCE_BYTES + req.params.length;
    if (need > free) refuse(op, SW.NOT_ENOUGH_MEMORY, `the instance needs ${need} bytes, ${free} are free`);
    const record: ApplicationRecord = {
      aid: req.instance,
      loadFile: req.loadFile,
      module: req.module,
      privileges,
      lifecycle: req.selectable ? APP_LIFECYCLE.SELECTABLE : APP_LIFECYCLE.INSTALLED,
      params: req.params,
      sdAid: req.sdAid ?? this.isdAid,
      builtin: false,
    };
    reg.addApplication(record);
    // JCRE: the applet's install method runs now; if it fails, the whole INSTALL is rolled back.
    // A security domain is the card's own code, not an applet the JCVM runs.
    if (!domainModule) this.deps.applets?.install({ ...req, privileges });
    return record;
  }

  install(o: Parameters<CardManager["install"]>[0]): RegistryApplication {
    const params = o.parameters ?? new Uint8Array(0);
    const field = Uint8Array.of(0xc9, ...lengthOf(params), ...params);
    return appView(
      this.installApp({
        loadFile: o.loadFile,
        module: o.module,
        instance: o.instance ?? o.module,
        privileges: o.privileges ?? Uint8Array.of(0),
        params: field,
        selectable: o.selectable !== false,
      }),
    );
  }

  /** INSTALL [for make selectable]. */
  makeSelectable(instance: Uint8Array, privileges: Uint8Array): void {
    const op = "INSTALL [for make selectable]";
    const app = this.deps.registry.application(instance);
    if (!app || app.builtin) refuse(op, SW.REFERENCED_DATA_NOT_FOUND, `application ${toHex(instance)} is not on the card`);
    if (app.lifecycle !== APP_LIFECYCLE.INSTALLED) {
      refuse(op, SW.CONDITIONS_NOT_SATISFIED, `application ${toHex(instance)} is not in the INSTALLED state`);
    }
    const changes: { lifecycle: number; privileges?: Uint8Array } = { lifecycle: APP_LIFECYCLE.SELECTABLE };
    if (privileges.length > 0) {
      const p = normalisePrivileges(op, privileges);
      // A security domain stays one: make selectable cannot take the privilege away (GP 6.6.1).
      p[0] = p[0]! | (app.privileges[0]! & PRIV1.SECURITY_DOMAIN);
      if ((p[0]! & PRIV1.CARD_RESET) !== 0 && this.defaultSelected()) {
        refuse(op, SW.CONDITIONS_NOT_SATISFIED, "another application already has the default-selected privilege");
      }
      changes.privileges = p;
    }
    this.deps.registry.setApplication(instance, changes);
  }

  delete(aid: Uint8Array, options: { related?: boolean } = {}): void {
    const op = "DELETE";
    const reg = this.deps.registry;
    if (equal(aid, this.isdAid)) refuse(op, SW.CONDITIONS_NOT_SATISFIED, "the Issuer Security Domain cannot be deleted");
    const app = reg.application(aid);
    if (app) {
      if (app.builtin) refuse(op, SW.CONDITIONS_NOT_SATISFIED, `application ${toHex(aid)} is built into the card`);
      if (isDomainRecord(app)) {
        // GP 11.2.2.2: a security domain goes only once nothing is associated with it any more.
        const content = [...reg.applications().filter((a) => equal(a.sdAid, aid)), ...reg.loadFiles().filter((f) => equal(f.sdAid, aid))];
        if (content.length > 0) {
          refuse(op, SW.CONDITIONS_NOT_SATISFIED, `security domain ${toHex(aid)} still has ${content.map((c) => toHex(c.aid)).join(", ")} (move or delete them first)`);
        }
        new DomainKeys(this.deps.store).deleteAll(aid);
      }
      reg.deleteApplication(aid);
      this.deps.applets?.deleted(aid);
      return;
    }
    if (this.deps.api.some((p) => equal(p.aid, aid)) || equal(aid, SD_PACKAGE_AID)) {
      refuse(op, SW.CONDITIONS_NOT_SATISFIED, `package ${toHex(aid)} is part of the card's Java Card API`);
    }
    const users = deleteChecks(op, reg, aid); // a package of an extended file goes only with its file
    if (!reg.loadFile(aid)) refuse(op, SW.REFERENCED_DATA_NOT_FOUND, `${toHex(aid)} is not on the card`);
    if (users.length > 0) {
      refuse(op, SW.CONDITIONS_NOT_SATISFIED, `package ${toHex(aid)} is imported by ${users.map(toHex).join(", ")}`);
    }
    const instances = reg.instancesOf(aid);
    if (instances.length > 0 && !options.related) {
      refuse(op, SW.CONDITIONS_NOT_SATISFIED, `package ${toHex(aid)} still has instances ${instances.map((i) => toHex(i.aid)).join(", ")}`);
    }
    for (const i of instances) {
      reg.deleteApplication(i.aid);
      this.deps.applets?.deleted(i.aid);
    }
    reg.deleteLoadFile(aid);
    this.deps.applets?.deleted(aid);
  }

  /** The application selected at power-on on the contact interface: card reset privilege, or CF contact on channel 0. */
  defaultSelected(): ApplicationRecord | undefined {
    return this.deps.registry.applications().find(contactDefault);
  }

  private packageKnown(aid: Uint8Array): boolean {
    const reg = this.deps.registry;
    return this.deps.api.some((p) => equal(p.aid, aid)) || equal(aid, SD_PACKAGE_AID) || reg.loadFile(aid) !== undefined || packageHolder(reg, aid) !== undefined;
  }

  private aidInUse(aid: Uint8Array): boolean {
    if (equal(aid, this.isdAid)) return true;
    if (this.deps.builtinAids().some((b) => equal(b, aid))) return true;
    return this.deps.registry.application(aid) !== undefined;
  }
}
