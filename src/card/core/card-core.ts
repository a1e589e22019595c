/**
 * The card core: power, ATR, logical channels, application selection,
 * secure messaging, and one transaction per APDU.
 *
 * Order of work for a command: its logical channel (6881 when not open),
 * MANAGE CHANNEL, class byte and APDU structure (6E00, 688x, 6700), SELECT,
 * INITIALIZE UPDATE / EXTERNAL AUTHENTICATE (for any CardApplication),
 * secure messaging removal, then the selected application inside a
 * transaction, then secure messaging on the answer.
 *
 * Each open logical channel (ISO/IEC 7816-4 section 5.4.1, GP 2.3.1
 * section 11.1.4) has its own selected application and its own secure
 * channel session: authenticating on one channel opens nothing on another.
 * The ISD, security domains and built-in applications may be selected on
 * several channels at once; a Java Card applet on one at a time (it is not
 * MultiSelectable, JCRE 3.0.5 section 4.2): 6985 elsewhere.
 * A CardRefusal becomes its SW, a full disk 6A84 (refusal.ts asRefusal); any
 * other exception becomes 6F00, logged, with the
 * transaction rolled back: no byte sequence crashes the card.
 */
import { CommandApdu, ResponseApdu } from "../../stack/apdu.ts";
import { toHex } from "../../stack/bytes.ts";
import { describeSw, SW, swHex } from "../../stack/status-words.ts";
import { APP_LIFECYCLE, CARD_LIFECYCLE, INS } from "../../stack/gp/constants.ts";
import type { AppContext, CardApplication } from "../application.ts";
import type { VirtualCard } from "../virtual-card.ts";
import { asRefusal } from "../refusal.ts";
import type { CardStore, StoredKeySet } from "../store/store.ts";
import type { Registry } from "../store/registry.ts";
import { appStore } from "../store/app-store.ts";
import { META } from "../store/schema.ts";
import type { IssuerCardManager } from "../isd/card-manager.ts";
import { appletClaProblem, basicClass, channelOf, claProblem, CLA_SM } from "./cla.ts";
import { LogicalChannels, type Channel, type ChannelSecurity, type Selected } from "./logical-channels.ts";
import { findSelectable, selectP2Problem, type Candidate } from "./selection.ts";
import { ATR } from "./atr.ts";
import type { CardBehaviour } from "../profiles/behaviour.ts";
import { STUB } from "./stub-applet.ts";
import type { SecureSession } from "./secure-session.ts";
import { INS_PERFORM_SECURITY_OPERATION, Scp11Session } from "./scp11-session.ts";

export interface CoreParts {
  store: CardStore;
  registry: Registry;
  manager: IssuerCardManager;
  isd: CardApplication;
  /** A new logical channel's secure channel session and SCP11 handshake (PERFORM SECURITY OPERATION, MUTUAL / INTERNAL AUTHENTICATE). */
  channelSecurity: () => ChannelSecurity;
  log: (line: string) => void;
  /** The application of an instance installed from a CAP file (the JCVM); undefined: the stub (--jcvm off). */
  installed?: (aid: Uint8Array) => CardApplication | undefined;
  /** The CardApplication of a supplementary security domain, if `aid` is one. */
  domainApp?: (aid: Uint8Array) => CardApplication | undefined;
  /** The card's ATR and SELECT manners, from its profile (default: gp23's). */
  behaviour?: Pick<CardBehaviour, "atr" | "fci">;
  /** A supplementary security domain's secure channel key sets (undefined: use the ISD's). */
  domainKeySets?: (aid: Uint8Array) => StoredKeySet[] | undefined;
}

export type { ChannelSecurity } from "./logical-channels.ts";

export class CardCore implements VirtualCard {
  private powered = false;
  private readonly channels: LogicalChannels;
  /** The channel of the command being processed: its session is the one IsdEnv's dek() and key version see. */
  private current: Channel;
  private readonly builtins = new Map<string, CardApplication>();
  private busy: Promise<unknown> | undefined;
  /** Counts power-offs, so an async command that outlives the power does not commit. */
  private generation = 0;

  constructor(private readonly p: CoreParts) {
    this.channels = new LogicalChannels({
      security: () => p.channelSecurity(),
      defaultApplication: () => this.defaultApplication(),
      endSelection: (ch) => this.endSelection(ch),
      log: p.log,
    });
    this.current = this.channels.create(0);
  }

  /** The secure channel session and SCP11 handshake of the channel the current command came on. */
  currentSecurity(): ChannelSecurity {
    return this.current;
  }


  atr(): Uint8Array {
    return (this.p.behaviour?.atr ?? ATR).slice();
  }

  /** AIDs of the in-process applications. */
  builtinAids(): Uint8Array[] {
    return [...this.builtins.values()].map((a) => a.aid);
  }

  /** Add an in-process application (a registry entry is created the first time). */
  installApplication(app: CardApplication): void {
    const aid = app.aid;
    const existing = this.p.registry.application(aid);
    if (existing && !existing.builtin) throw new RangeError(`AID ${toHex(aid)} is already used by an installed application`);
    if (toHex(aid) === toHex(this.p.isd.aid)) throw new RangeError("A built-in application cannot take the ISD's AID");
    if (!existing) {
      this.p.store.atomically(() =>
        this.p.registry.addApplication({
          aid,
          loadFile: undefined,
          module: undefined,
          privileges: Uint8Array.of(0, 0, 0),
          lifecycle: APP_LIFECYCLE.SELECTABLE,
          params: new Uint8Array(0),
          sdAid: this.p.isd.aid,
          builtin: true,
        }),
      );
    }
    this.builtins.set(toHex(aid), app);
  }

  powerOn(): void {
    this.channels.closeAll();
    // GP 2.3.1 section 9.3.5: a load that did not complete does not survive.
    if (!this.busy) this.discardUnfinishedLoad();
    this.powered = true;
    // After reset only the basic channel is open (ISO/IEC 7816-4 section 5.4.1).
    const basic = this.channels.add(this.channels.create(0));
    this.current = basic;
    basic.selected = this.defaultApplication();
  }

  private discardUnfinishedLoad(): void {
    const dropped = this.p.store.atomically(() => this.p.manager.pending.discard());
    if (dropped) this.p.log("power on: unfinished load discarded");
  }

  powerOff(): void {
    this.channels.closeAll();
    // A command still running (an application's async work) loses its writes, as on a real card:
    // its transaction stays open until it ends, and is rolled back then.
    this.generation++;
    if (!this.busy) this.p.store.rollback();
    this.powered = false;
  }

  reset(): void {
    this.powerOff();
    this.powerOn();
  }

  process(command: Uint8Array): Uint8Array | Promise<Uint8Array> {
    // APDUs are processed one at a time, as on a real card.
    if (this.busy) {
      const next = this.busy.then(() => this.process(command));
      return next;
    }
    const out = this.guarded(command);
    if (out instanceof Promise) {
      const done = out.finally(() => {
        if (this.busy === done) this.busy = undefined;
      });
      this.busy = done;
      return done;
    }
    return out;
  }

  private guarded(bytes: Uint8Array): Uint8Array | Promise<Uint8Array> {
    try {
      if (!this.powered) this.powerOn();
      return this.handle(bytes);
    } catch (error) {
      return this.failure(error, bytes);
    }
  }

  private failure(error: unknown, bytes: Uint8Array): Uint8Array {
    this.p.store.rollback();
    const refusal = asRefusal(error);
    if (refusal) {
      this.p.log(`refused: ${refusal.operation}: ${describeSw(refusal.sw)}: ${refusal.reason}`);
      return this.answer(this.current, ResponseApdu.of(refusal.sw));
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.p.log(`error: ${message} (command ${toHex(bytes.subarray(0, 16))}${bytes.length > 16 ? "..." : ""}): answered 6F00`);
    return ResponseApdu.of(SW.UNKNOWN).toBytes();
  }

  private handle(raw: Uint8Array): Uint8Array | Promise<Uint8Array> {
    if (raw.length < 4) return sw(SW.WRONG_LENGTH);
    const number = channelOf(raw[0]!);
    const interindustry = (raw[0]! & 0x80) === 0;
    // SELECT by the card itself: CLA 00 on any channel (01-03, 40-4F), without SM or chaining.
    const isSelect = raw[1] === INS.SELECT && ((raw[0]! & 0xfc) === 0 || (raw[0]! & 0xf0) === 0x40);
    let ch = this.channels.get(number);
    if (!ch && isSelect && raw[2] === 0x04) {
      // A SELECT on a closed channel opens it (ISO/IEC 7816-4 section 5.4.1, JCRE 3.0.5 section 4.4.1).
      ch = this.channels.add(this.channels.create(number));
    }
    if (!ch) {
      this.p.log(`refused: logical channel ${number}: 6881 (Logical channel not supported): the channel is not open (MANAGE CHANNEL opens it)`);
      return sw(SW.LOGICAL_CHANNEL_NOT_SUPPORTED);
    }
    this.current = ch;
    if (raw[1] === INS.MANAGE_CHANNEL && interindustry) return this.channels.manage(ch, raw);
    // A Java Card applet gets every class byte but FF, as sent; the ISD and built-in applications take GP's classes,
    // seen as on the basic channel.
    const toApplet = ch.selected !== undefined && !ch.selected.native && !isSelect;
    const claSw = toApplet ? appletClaProblem(raw[0]!) : claProblem(raw[0]!);
    const bytes = toApplet ? raw : Uint8Array.of(basicClass(raw[0]!) | (raw[0]! & 0x10), ...raw.subarray(1));
    // The ISD takes command chaining for one command only: an OCE certificate in pieces (amendment F 7.3).
    const chainedPso = !toApplet && claProblem(raw[0]! & ~0x10) === undefined && Scp11Session.chained(bytes) && ch.scp11.handshake() !== undefined;
    if (claSw !== undefined && !chainedPso) return sw(claSw);
    let cmd: CommandApdu;
    try {
      cmd = CommandApdu.parse(bytes);
    } catch {
      return sw(SW.WRONG_LENGTH);
    }
    const session = ch.session;
    const secured = (cmd.cla & CLA_SM) !== 0;
    if (cmd.ins === INS.SELECT && cmd.cla === 0x00) return this.select(ch, cmd);
    const current = ch.selected;
    if (!current) return sw(0x6986);
    // Any other command ends a command chain (ISO/IEC 7816-4 5.3.3): a half-sent OCE certificate is dropped.
    if (cmd.ins !== INS_PERFORM_SECURITY_OPERATION) ch.scp11.endChain();
    if (current.native && cmd.ins === INS.INITIALIZE_UPDATE && cmd.cla === 0x80) {
      return session.initializeUpdate(cmd, this.p.domainKeySets?.(current.aid), current.aid).toBytes();
    }
    if (current.native && cmd.ins === INS.EXTERNAL_AUTHENTICATE && cmd.cla === 0x84) {
      return session.externalAuthenticate(bytes).toBytes();
    }
    if (current.native && (cmd.cla & ~0x10) === 0x80 && Scp11Session.handles(cmd.ins) && ch.scp11.handshake()) {
      return ch.scp11.process(cmd).toBytes();
    }
    let plain = cmd;
    if (current.native && session.isOpen) {
      const unwrapped = session.channel.unwrapCommand(bytes);
      if (typeof unwrapped === "number") {
        this.p.log(`refused: secure messaging: ${describeSw(unwrapped)}: C-MAC or cryptogram wrong, or a command without secure messaging; session closed`);
        return sw(unwrapped);
      }
      plain = CommandApdu.parse(unwrapped);
      // A SELECT under secure messaging selects like a plain one (and ends the session).
      if (plain.ins === INS.SELECT && plain.cla === 0x00) return this.select(ch, plain);
    } else if (secured && current.native) {
      this.p.log("refused: secure messaging without an open session: 6982 (Security status not satisfied)");
      return sw(SW.SECURITY_STATUS_NOT_SATISFIED);
    }
    const ctx = this.context(ch, current, secured && session.isOpen);
    this.p.store.begin();
    const generation = this.generation;
    const result = current.app.process(plain, ctx);
    if (result instanceof Promise) {
      return result.then(
        (r) => {
          if (generation !== this.generation) return this.lostPower();
          try {
            this.p.store.commit();
          } catch (error) {
            return this.failure(error, raw);
          }
          return this.answer(ch, r);
        },
        (error) => (generation !== this.generation ? this.lostPower() : this.failure(error, raw)),
      );
    }
    this.p.store.commit();
    return this.answer(ch, result);
  }

  /** An async command outlived the power: undo its writes, then do what power-on skipped. */
  private lostPower(): Uint8Array {
    this.p.store.rollback();
    this.p.log("power lost during a command: its changes are rolled back");
    if (this.powered) this.discardUnfinishedLoad();
    return sw(SW.UNKNOWN);
  }

  /** Secure messaging on a response, when the channel's session asks for it. */
  private answer(ch: Channel, r: ResponseApdu): Uint8Array {
    const bytes = r.toBytes();
    if (ch.selected?.native && ch.session.isOpen) return ch.session.channel.wrapResponse(bytes);
    return bytes;
  }

  private context(ch: Channel, sel: Selected, commandSecured: boolean): AppContext {
    const channel = ch.session.channel;
    const open = channel.isOpen;
    const scp = channel.scp;
    return {
      aid: sel.aid,
      secure: {
        isAuthenticated: open,
        level: channel.level,
        commandSecured,
        protocol: open && scp ? (scp === 2 ? "SCP02" : scp === 3 ? "SCP03" : "SCP11") : undefined,
      },
      cardManager: this.p.manager,
      store: appStore(this.p.store, sel.aid, () => this.p.manager.freeMemory()),
      log: sel.app === this.p.isd ? this.p.log : (line) => this.p.log(`${toHex(sel.aid)}: ${line}`),
    };
  }

  private select(ch: Channel, cmd: CommandApdu): Uint8Array {
    const p2sw = selectP2Problem(cmd.p1, cmd.p2);
    if (p2sw !== undefined) return sw(p2sw);
    const next = (cmd.p2 & 0x02) !== 0;
    // P2 0C: no response data (ISO 7816-4 7.1.1); some cards also send none when the SELECT has no Le (JCOP3 SECID, fdsm PR#23).
    const noFci = (cmd.p2 & 0x0c) === 0x0c || (cmd.ne === undefined && this.p.behaviour?.fci.noFciWithoutLe === true);
    let target: Selected | undefined;
    if (cmd.data.length === 0 && !next) {
      target = this.defaultApplication();
    } else {
      const found = findSelectable(cmd.data, next, ch.selected?.aid, this.candidates());
      target = found ? this.resolve(found.aid) : undefined;
    }
    if (!target) return sw(SW.FILE_NOT_FOUND);
    if (!target.native && this.channels.selectedElsewhere(target.aid, ch)) {
      this.p.log(`refused: SELECT ${toHex(target.aid)}: 6985 (Conditions of use not satisfied): selected on another logical channel and not multi-selectable`);
      return sw(SW.CONDITIONS_NOT_SATISFIED);
    }
    this.endSelection(ch);
    ch.selected = target;
    const ctx = this.context(ch, target, false);
    this.p.store.begin();
    let fci: Uint8Array | number | ResponseApdu;
    try {
      fci = target.app.select(ctx, cmd);
      this.p.store.commit();
    } catch (error) {
      ch.selected = undefined;
      throw error;
    }
    if (fci instanceof ResponseApdu) return this.answer(ch, fci);
    if (typeof fci === "number") {
      ch.selected = undefined;
      this.p.log(`refused: SELECT ${toHex(target.aid)}: the application answered ${swHex(fci)}`);
      return sw(fci);
    }
    return ResponseApdu.of(SW.OK, noFci ? new Uint8Array(0) : fci).toBytes();
  }

  private candidates(): Candidate[] {
    const lc = this.p.store.metaInt(META.CARD_LIFECYCLE, CARD_LIFECYCLE.SECURED);
    const cardOpen = lc !== CARD_LIFECYCLE.CARD_LOCKED && lc !== CARD_LIFECYCLE.TERMINATED;
    const apps = this.p.registry
      .applications()
      .filter((a) => !a.builtin || this.builtins.has(toHex(a.aid)))
      .map((a) => ({
        aid: a.aid,
        selectable: cardOpen && (a.lifecycle & APP_LIFECYCLE.LOCKED_BIT) === 0 && (a.lifecycle & APP_LIFECYCLE.SELECTABLE) === APP_LIFECYCLE.SELECTABLE,
      }));
    return [{ aid: this.p.isd.aid, selectable: true }, ...apps];
  }

  private resolve(aid: Uint8Array): Selected {
    const hex = toHex(aid);
    if (hex === toHex(this.p.isd.aid)) return { aid, app: this.p.isd, native: true };
    const builtin = this.builtins.get(hex);
    if (builtin) return { aid, app: builtin, native: true };
    const sd = this.p.domainApp?.(aid);
    if (sd) return { aid, app: sd, native: true };
    return { aid, app: this.p.installed?.(aid) ?? { aid, ...STUB }, native: false };
  }

  /** The application selected at power-on: the one with the card reset privilege, else the ISD. */
  private defaultApplication(): Selected {
    const d = this.p.manager.defaultSelected();
    if (d) {
      const c = this.candidates().find((x) => toHex(x.aid) === toHex(d.aid));
      if (c?.selectable) return this.resolve(d.aid);
    }
    return this.resolve(this.p.isd.aid);
  }

  /** Deselect what `ch` has selected and end its secure channel session. */
  private endSelection(ch: Channel): void {
    const s = ch.selected;
    ch.selected = undefined;
    ch.session.close();
    ch.scp11.reset();
    // An application selected on another channel too (a security domain) stays selected there.
    if (!s || this.channels.selectedElsewhere(s.aid, ch)) return;
    try {
      s.app.deselect?.();
    } catch (error) {
      this.p.log(`error: deselect of ${toHex(s.aid)} threw ${(error as Error).message}`);
    }
  }
}

function sw(value: number): Uint8Array {
  return Uint8Array.of(value >> 8, value & 0xff);
}
