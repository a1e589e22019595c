/**
 * The simulated card: a GlobalPlatform 2.3.1 card with an Issuer Security
 * Domain, persistent tear-safe memory (SQLite) and room for in-process
 * applications. Run it in-process (`inProcessTransport`) or behind vpcd
 * (`webcard sim`). It keeps registry, keys and counters, and runs the
 * applets it installs on its JCVM (src/card/jcvm/) unless `jcvm: false`.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { equal, fromHex, toHex } from "../stack/bytes.ts";
import { kcvHex } from "../stack/crypto/kcv.ts";
import { UsageError, WebcardError } from "../stack/errors.ts";
import { CARD_LIFECYCLE, DEFAULT_ISD_AIDS, DEFAULT_TEST_KEY } from "../stack/gp/constants.ts";
import { javaCardApi, JAVA_CARD_VERSIONS } from "../stack/cap/javacard-api.ts";
import type { CardApplication } from "./application.ts";
import type { VirtualCard } from "./virtual-card.ts";
import { CardStore } from "./store/store.ts";
import { fileError } from "./store/file-errors.ts";
import { damagedCard } from "./damaged-card.ts";
import { Registry } from "./store/registry.ts";
import { IssuerCardManager } from "./isd/card-manager.ts";
import { IssuerSecurityDomain } from "./isd/isd.ts";
import type { IsdEnv } from "./isd/isd-state.ts";
import { SecureSession } from "./core/secure-session.ts";
import { CardCore } from "./core/card-core.ts";
import { withT0 } from "./core/t0.ts";
import { timingFor, withTiming, type CardTiming } from "./profiles/timing.ts";
import { FACTORY_KEY_VERSION_VALUE } from "./isd/key-version.ts";
import { JavaCardRuntime } from "./jcvm/card-runtime.ts";
import type { VmLimits } from "./jcvm/vm.ts";
import { DomainKeys } from "./store/domain-keys.ts";
import { recordingSink, type PersonalizationSink } from "./isd/personalization.ts";
import { domain, isdPrivileges } from "./isd/domains.ts";
import { Scp11Session } from "./core/scp11-session.ts";
import { decodeScp11Keys, encodeScp11Keys, provisionScp11, type Scp11Provisioning } from "./isd/scp11-keys.ts";
import { META } from "./store/schema.ts";
import { SCP11_I, SCP11_KID } from "../stack/gp/scp11/handshake.ts";
import { fingerprint } from "../stack/gp/scp11/fingerprint.ts";
import type { CardProfile } from "./profiles/profile.ts";
import { DEFAULT_PROFILE, profileNamed, shippedProfiles } from "./profiles/catalogue.ts";
import { factoryOf } from "./profiles/factory.ts";
import { behaviourOf } from "./profiles/behaviour.ts";

export interface SimOptions {
  /** The card memory: a file, or ":memory:" (the default) for a card that lives as long as the object. */
  statePath?: string;
  /** Factory key for ENC, MAC and DEK (default 404142...4F). Applies when the memory is created or reset. */
  key?: Uint8Array;
  /** Factory secure channel protocol (default 3). Applies when the memory is created or reset. */
  scp?: 2 | 3;
  /** Persistent memory size in bytes (default 65536). */
  memoryBytes?: number;
  /** Java Card API the card ships (default "3.0.5"). */
  javaCardVersion?: string;
  /** Content management without a secure channel (golden-vector tests). */
  open?: boolean;
  /** Restore the factory state (a damaged, foreign or newer file is kept aside first). */
  reset?: boolean;
  /**
   * A memory that fails its power-on check: "refuse" (the default) throws a
   * WebcardError saying so; "answer" gives a card that answers 6A81 to every
   * command after one log line, as a card in a reader does (`webcard sim`).
   */
  whenDamaged?: "refuse" | "answer";
  /** Failed EXTERNAL AUTHENTICATE commands before the ISD locks (default 10). */
  maxAuthFailures?: number;
  /** The card's log: one line per refusal, load, install, error. Never key material. */
  log?: (line: string) => void;
  /** i parameter of the secure channel (default SCP02 55, SCP03 70). */
  i?: { 2?: number; 3?: number };
  /** Source of card challenges (tests). */
  random?: (n: number) => Uint8Array;
  /** Run installed applets' bytecode (the JCVM, default true); false keeps stub applets (SELECT 9000, else 6D00). */
  jcvm?: boolean;
  /** Limits of the JCVM (bytecodes per command, call depth, commit capacity). */
  jcvmLimits?: Partial<VmLimits>;
  /** --trace-vm: a line per method call the JCVM makes. */
  traceVm?: (line: string) => void;
  /** Largest command data field the ISD announces (FCI 9F65) and takes in LOAD; default 255, up to 65535 (extended APDUs). */
  maxBlock?: number;
  /** The ISD has Mandated DAP Verification: every load needs its DAP (GP 9.2.1). */
  mandatedDap?: boolean;
  /** SET STATUS may terminate the card; without it TERMINATED is refused (a simulated card is not thrown away by accident). */
  allowTerminate?: boolean;
  /** Where STORE DATA for applications goes; default: recorded in the application's store. */
  personalization?: PersonalizationSink;
  /**
   * SCP11 besides SCP02/03 (GP amendment F): a key pair and certificate are made
   * when the memory has no SCP11 keys yet (or on reset); the host's first
   * command chooses the protocol.
   */
  scp11?: Scp11Provisioning;
  /** The card's clock for certificate dates (tests). */
  now?: () => Date;
  /**
   * The real card this one behaves as (docs/profiles.md; default gp23). Its
   * values are the defaults of key, scp, memoryBytes, javaCardVersion,
   * maxBlock and maxAuthFailures, which still override them.
   */
  profile?: CardProfile;
  /**
   * Real-card timing (`--timing NAME|MS`, docs/profiles.md): every command
   * takes the time that profile's figures (or MS ms) and the card's bit rate
   * say. Off by default.
   */
  timing?: string;
}

export interface SimulatedCard extends VirtualCard {
  /** Release the memory file. */
  close(): void;
  /** The card's profile (docs/profiles.md): the one asked for, or the one its memory was made for. */
  readonly profile: CardProfile;
  /** The real-card timing it takes (--timing), if any. */
  readonly timing?: CardTiming;
  readonly statePath: string;
  /** Add an in-process application (the web-card link, test applications). */
  installApplication(app: CardApplication): void;
  /** Why the card memory failed its power-on check (the card then answers 6A81 to everything), else undefined. */
  readonly damage: string | undefined;
  /** SHA-256 of the persistent state without the security counters (tests: did anything change?). */
  stateDigest(): string;
  /** The key sets as check values (never the keys): for the line `webcard sim` prints. */
  keyCheckValues(): KeySetKcvs[];
  /** The SCP11 keys as fingerprints (never the keys), when the card has them. */
  scp11Summary(): Scp11Summary | undefined;
}

export interface Scp11Summary {
  kvn: number;
  variants: string[];
  curve: string;
  /** SHA-256 fingerprints (first 8 bytes, hex) of PK.SD.ECKA and of the trusted CA-KLOC key. */
  sdKey: string;
  caKey: string;
  macLength: 8 | 16;
}

export interface KeySetKcvs {
  version: number;
  scp: 2 | 3;
  enc: string;
  mac: string;
  dek: string;
}

/** Key version number of the factory key set (GP 2.3.1 section 11.8.2.2: FF marks the initial keys). */
export const FACTORY_KEY_VERSION = FACTORY_KEY_VERSION_VALUE;
/** ISD privileges: security domain, card lock, terminate, reset, CVM; byte 2 all but global service; receipt generation. */
const ISD_PRIVILEGES = Uint8Array.of(0x9e, 0xfe, 0x80);
const DEFAULT_I = { 2: 0x55, 3: 0x70 } as const;

/** Create (or reopen) a simulated card. */
export function createSimulatedCard(options: SimOptions = {}): SimulatedCard {
  const statePath = options.statePath ?? ":memory:";
  // A new memory is made for the profile asked for (gp23 by default); an existing one keeps the profile it was made for.
  const asked = options.profile;
  const made = asked ?? profileNamed(DEFAULT_PROFILE);
  const key = options.key;
  const scp = options.scp ?? made.keys.scp;
  if (scp !== 2 && scp !== 3) throw new UsageError(`SCP0${scp} is not supported: use 2 or 3`);
  if (key && scp === 2 && key.length !== 16) throw new UsageError(`An SCP02 key is 16 bytes (3DES), got ${key.length}`);
  if (key && scp === 3 && ![16, 24, 32].includes(key.length)) throw new UsageError(`An SCP03 key is 16, 24 or 32 bytes (AES), got ${key.length}`);
  const factory = factoryOf(made, { ...(key ? { master: key } : {}), scp });
  const log = options.log ?? (() => {});
  if (statePath !== ":memory:") {
    try {
      mkdirSync(dirname(statePath), { recursive: true });
    } catch (error) {
      throw fileError(statePath, error, "folder");
    }
  }
  const store = new CardStore(
    statePath,
    {
      isdAid: factory.isdAid,
      isdPrivileges: ISD_PRIVILEGES,
      cardLifecycle: factory.cardLifecycle,
      keySet: factory.keySet,
      serial: factory.serial,
      profile: made.name,
    },
    { reset: options.reset === true },
  );
  for (const notice of store.notices) log(notice);
  if (store.damage !== undefined) {
    if (options.whenDamaged === "answer") return damaged(store, log);
    store.close();
    throw new WebcardError(`The state file ${statePath} is damaged: ${store.damage}`, {
      hint: `to start a fresh card there, run 'webcard sim --state ${statePath} --reset', which keeps the damaged file aside; or choose another state file`,
    });
  }
  let profile: CardProfile;
  let timing: CardTiming | undefined;
  try {
    profile = profileOfMemory(store, asked);
    timing = options.timing === undefined ? undefined : timingFor(options.timing, profile, profileNamed);
  } catch (error) {
    store.close();
    throw error;
  }
  const behaviour = behaviourOf(profile);
  const javaCardVersion = options.javaCardVersion ?? profile.javaCard;
  if (!(JAVA_CARD_VERSIONS as readonly string[]).includes(javaCardVersion)) {
    store.close();
    throw new UsageError(`Unknown Java Card version ${javaCardVersion}: use one of ${JAVA_CARD_VERSIONS.join(", ")}`);
  }
  const memoryBytes = options.memoryBytes ?? profile.memoryBytes;
  const maxBlock = options.maxBlock ?? profile.load.maxBlock;
  const badNumber =
    !Number.isInteger(memoryBytes) || memoryBytes < 0
      ? `Memory size must be a whole number of bytes, got ${memoryBytes}`
      : !Number.isInteger(maxBlock) || maxBlock < 1 || maxBlock > 65535
        ? `--max-block must be 1 to 65535 bytes, got ${maxBlock}`
        : undefined;
  if (badNumber) {
    store.close();
    throw new UsageError(badNumber);
  }
  if (options.scp11 && (options.reset === true || store.meta(META.SCP11) === undefined)) {
    const keys = provisionScp11(options.scp11);
    store.atomically(() => store.setMeta(META.SCP11, encodeScp11Keys(keys)));
  } else if (options.scp11?.macLength !== undefined) {
    // S8 or S16 is how the card's SCP11 keys are set up; a card reopened with another mode takes it.
    const record = store.meta(META.SCP11);
    const kept = record && decodeScp11Keys(record);
    if (kept && kept.macLength !== options.scp11.macLength) {
      store.atomically(() => store.setMeta(META.SCP11, encodeScp11Keys({ ...kept, macLength: options.scp11!.macLength! })));
    }
  }
  const scp11Keys = () => {
    const record = store.meta(META.SCP11);
    return record ? decodeScp11Keys(record) : undefined;
  };
  const registry = new Registry(store);
  let core: CardCore | undefined;
  let manager: IssuerCardManager | undefined;
  const jcvm =
    options.jcvm === false
      ? undefined
      : new JavaCardRuntime({
          db: store.db,
          atomically: (fn) => store.atomically(fn),
          registry,
          freeMemory: () => manager?.freeMemory() ?? 0,
          log,
          ...(options.jcvmLimits ? { limits: options.jcvmLimits } : {}),
          ...(options.traceVm ? { trace: options.traceVm } : {}),
        });
  manager = new IssuerCardManager({
    store,
    registry,
    memoryBytes,
    api: javaCardApi(javaCardVersion),
    javaCardVersion,
    builtinAids: () => core?.builtinAids() ?? [],
    ...(jcvm ? { applets: jcvm } : {}),
    blockSize: maxBlock,
    isdPrivileges: () => isdPrivileges(env),
  });
  const profileI = { ...DEFAULT_I, [profile.keys.scp]: parseInt(profile.keys.i, 16) };
  const i = { 2: options.i?.[2] ?? profileI[2], 3: options.i?.[3] ?? profileI[3] };
  // Each logical channel has its own session (card-core.ts); the ISD's handlers see the one of the command's channel.
  const channelSecurity = () => {
    const session = new SecureSession({
      store,
      maxAuthFailures: options.maxAuthFailures ?? profile.authFailureLimit,
      i,
      log,
      ...(options.random ? { random: options.random } : {}),
    });
    const scp11 = new Scp11Session({ store, channel: session.channel, log, ...(options.now ? { now: options.now } : {}) });
    return { session, scp11 };
  };
  const current = () => core!.currentSecurity();
  const firstScp = () => store.keySets()[0]?.scp ?? scp;
  const env: IsdEnv = {
    store,
    registry,
    manager,
    open: options.open === true,
    get scp() {
      return firstScp();
    },
    get scpI() {
      return i[firstScp()];
    },
    scpIFor: (p) => i[p],
    dek: () => current().session.channel.dek,
    certificateStore: (data) => current().scp11.handshake()?.certificateStore(data) ?? { sw: 0x6a88, reason: "the card has no SCP11 certificates" },
    ecKeyInfo: () => {
      const k = scp11Keys();
      if (!k) return [];
      const sd = k.variants.map((v) => ({ kid: SCP11_KID[v], kvn: k.kvn, held: "private" as const, length: k.sd.d.length }));
      const ca = { kid: SCP11_KID.OCE, kvn: k.kvn, held: "public" as const, length: k.oceCa.key.point.length };
      return [...sd, ca];
    },
    scp11I: () => {
      const k = scp11Keys();
      // Ascending i, as GP 2.3.1 H.4 lists options: 11b 00, 11a 01, 11c 03.
      return k ? k.variants.map((v) => SCP11_I[v]).sort((a, b) => a - b) : [];
    },
    statusCursor: undefined,
    domainKeys: new DomainKeys(store),
    factoryKeySet: factory.keySet,
    behaviour,
    mandatedDap: options.mandatedDap === true,
    allowTerminate: options.allowTerminate === true,
    sessionKeyVersion: () => current().session.keyVersion,
    personalization: options.personalization ?? recordingSink(store, () => manager.freeMemory()),
    storeData: undefined,
  };
  const isd = new IssuerSecurityDomain(env);
  const domains = new Map<string, IssuerSecurityDomain>();
  core = new CardCore({
    behaviour,
    store,
    registry,
    manager,
    isd,
    channelSecurity,
    log,
    // A supplementary security domain answers like the ISD, with its own keys and content (GP 7.2).
    domainApp: (aid) => {
      const d = domain(env, aid);
      if (!d || d.isIsd) return undefined;
      const hex = toHex(aid);
      if (!domains.has(hex)) domains.set(hex, new IssuerSecurityDomain(env, aid));
      return domains.get(hex);
    },
    ...(jcvm ? { installed: (aid: Uint8Array) => jcvm.application(aid) } : {}),
    domainKeySets: (aid) => (domain(env, aid) && !equal(aid, manager.isdAid) ? env.domainKeys.keySets(aid) : undefined),
  });
  // A T=0 card answers 61xx / 6Cxx around the same core (profiles with protocol T=0).
  const t0 = behaviour.t0 ? withT0(core, { warnings: profile.t0Warnings ?? "procedure" }) : core;
  // Timing goes outside T=0: a GET RESPONSE is one more exchange on the wire.
  const card = timing ? withTiming(t0, timing) : t0;
  return {
    statePath,
    damage: undefined,
    profile,
    ...(timing ? { timing } : {}),
    atr: () => card.atr(),
    powerOn: () => {
      jcvm?.powerLoss();
      card.powerOn();
    },
    powerOff: () => {
      jcvm?.powerLoss();
      card.powerOff();
    },
    reset: () => {
      jcvm?.powerLoss();
      card.reset();
    },
    process: (command) => card.process(command),
    installApplication: (app) => core.installApplication(app),
    stateDigest: () => store.digest(),
    keyCheckValues: () =>
      store.keySets().map((k) => {
        const type = k.scp === 2 ? "3DES" : "AES";
        return { version: k.version, scp: k.scp, enc: kcvHex(k.enc, type), mac: kcvHex(k.mac, type), dek: kcvHex(k.dek, type) };
      }),
    scp11Summary: () => {
      const k = scp11Keys();
      if (!k) return undefined;
      return {
        kvn: k.kvn,
        variants: k.variants.map((v) => `11${v}`),
        curve: k.sd.curve.name,
        sdKey: fingerprint(k.sd.point),
        caKey: fingerprint(k.oceCa.key.point),
        macLength: k.macLength,
      };
    },
    close: () => {
      jcvm?.powerLoss();
      core.powerOff();
      store.close();
    },
  };
}

/** The profile of an opened memory: the one it was made for (gp23 before profiles existed), which must be the one asked for. */
function profileOfMemory(store: CardStore, asked: CardProfile | undefined): CardProfile {
  const record = store.meta(META.PROFILE);
  const name = record ? new TextDecoder().decode(record) : DEFAULT_PROFILE;
  if (asked) {
    if (asked.name === name) return asked;
    throw new WebcardError(`The state file ${store.path} holds a ${name} card, not ${asked.name}`, {
      hint: `use another --state file for a ${asked.name} card, or leave out --profile to use this one`,
    });
  }
  if (shippedProfiles().some((p) => p.name === name)) return profileNamed(name);
  throw new WebcardError(`The state file ${store.path} holds a card of profile '${name}', from a profile file`, {
    hint: "give that file with --profile FILE",
  });
}

/** The card of a memory that failed its power-on check: one line in the log, 6A81 to every command. */
function damaged(store: CardStore, log: (line: string) => void): SimulatedCard {
  log(
    `the state file ${store.path} is damaged (${store.damage}): the card answers 6A81 to every command and writes nothing; ` +
      "to start a fresh card use --reset (the damaged file is kept aside) or another --state file",
  );
  const dead = damagedCard();
  return {
    ...dead,
    statePath: store.path,
    damage: store.damage,
    profile: profileNamed(DEFAULT_PROFILE),
    installApplication: () => {},
    stateDigest: () => "damaged",
    keyCheckValues: () => [],
    scp11Summary: () => undefined,
    close: () => store.close(),
  };
}
