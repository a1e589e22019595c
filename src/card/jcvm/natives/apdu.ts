/** javacard.framework.APDU natives (JC API 3.0.5), over ApduState. */
import { bytesOf, JObject, type JArray } from "../model.ts";
import type { Vm } from "../vm.ts";
import { APDU_REASON, APDU_STATE, type ApduState } from "./apdu-state.ts";
import type { NativeTable } from "./native.ts";

const APDU_EXCEPTION = "javacard.framework.APDUException";

function state(vm: Vm, self: unknown): ApduState {
  const s = (self as JObject).native as ApduState | undefined;
  if (!s || s !== vm.jcre.apdu) return vm.throwJava(APDU_EXCEPTION, APDU_REASON.ILLEGAL_USE);
  return s;
}

function illegal(vm: Vm): never {
  return vm.throwJava(APDU_EXCEPTION, APDU_REASON.ILLEGAL_USE);
}

function setOutgoing(vm: Vm, s: ApduState): number {
  if (s.state >= APDU_STATE.OUTGOING) illegal(vm);
  s.state = APDU_STATE.OUTGOING;
  // Ne: Le as sent (00 = 256 short, 0000 = 65536 extended); 256 when the command had no Le (case 1/3), as T=0 cards do.
  const ne = s.ne === 0 ? 256 : s.ne;
  return ne > 32767 ? 32767 : ne;
}

function setOutgoingLength(vm: Vm, s: ApduState, len: number): void {
  if (s.state !== APDU_STATE.OUTGOING) illegal(vm);
  const max = s.command.extended ? 32767 : 256;
  if (len < 0 || len > max) vm.throwJava(APDU_EXCEPTION, APDU_REASON.BAD_LENGTH);
  s.outLength = len;
  s.state = APDU_STATE.OUTGOING_LENGTH_KNOWN;
}

function send(vm: Vm, s: ApduState, from: Int8Array, off: number, len: number): void {
  if (s.state !== APDU_STATE.OUTGOING_LENGTH_KNOWN && s.state !== APDU_STATE.PARTIAL_OUTGOING) illegal(vm);
  if (len < 0 || off < 0 || off + len > from.length) vm.throwJava(APDU_EXCEPTION, APDU_REASON.BUFFER_BOUNDS);
  if (s.out.length + len > s.outLength) vm.throwJava(APDU_EXCEPTION, APDU_REASON.ILLEGAL_USE);
  for (let i = 0; i < len; i++) s.out.push(from[off + i]! & 0xff);
  s.state = s.out.length === s.outLength ? APDU_STATE.FULL_OUTGOING : APDU_STATE.PARTIAL_OUTGOING;
}

const buf = (s: ApduState) => s.buffer.data as Int8Array;

export const APDU: Record<string, NativeTable> = {
  "javacard.framework.APDU": {
    "getBuffer()[B": (vm, [self]) => state(vm, self).buffer,
    "setIncomingAndReceive()S": (vm, [self]) => {
      const s = state(vm, self);
      if (s.state !== APDU_STATE.INITIAL) illegal(vm);
      return s.receive(s.offsetCdata);
    },
    "receiveBytes(S)S": (vm, [self, off]) => {
      const s = state(vm, self);
      if (s.state !== APDU_STATE.PARTIAL_INCOMING && s.state !== APDU_STATE.FULL_INCOMING) illegal(vm);
      if ((off as number) < 0 || (off as number) >= s.buffer.length) vm.throwJava(APDU_EXCEPTION, APDU_REASON.BUFFER_BOUNDS);
      return s.receive(off as number);
    },
    "setOutgoing()S": (vm, [self]) => setOutgoing(vm, state(vm, self)),
    "setOutgoingNoChaining()S": (vm, [self]) => setOutgoing(vm, state(vm, self)),
    "setOutgoingLength(S)V": (vm, [self, len]) => setOutgoingLength(vm, state(vm, self), len as number),
    "sendBytes(SS)V": (vm, [self, off, len]) => {
      const s = state(vm, self);
      send(vm, s, buf(s), off as number, len as number);
    },
    "sendBytesLong([BSS)V": (vm, [self, arr, off, len]) => {
      const s = state(vm, self);
      const a = vm.arrayAccess(arr as JArray);
      send(vm, s, a.data as Int8Array, off as number, len as number);
    },
    "setOutgoingAndSend(SS)V": (vm, [self, off, len]) => {
      const s = state(vm, self);
      setOutgoing(vm, s);
      setOutgoingLength(vm, s, len as number);
      send(vm, s, buf(s), off as number, len as number);
    },
    "getCurrentState()B": (vm, [self]) => state(vm, self).state,
    "getIncomingLength()S": (vm, [self]) => {
      const s = state(vm, self);
      if (s.state < APDU_STATE.PARTIAL_INCOMING) illegal(vm);
      return s.nc;
    },
    "getOffsetCdata()S": (vm, [self]) => {
      const s = state(vm, self);
      if (s.state < APDU_STATE.PARTIAL_INCOMING) illegal(vm);
      return s.offsetCdata;
    },
    "getCLAChannel()B": (vm, [self]) => {
      const cla = state(vm, self).command.cla;
      return (cla & 0x40) !== 0 ? 4 + (cla & 0x0f) : cla & 0x03;
    },
    "getNAD()B": () => 0,
    "isCommandChainingCLA()Z": (vm, [self]) => ((state(vm, self).command.cla & 0x10) !== 0 ? 1 : 0),
    "isSecureMessagingCLA()Z": (vm, [self]) => {
      const cla = state(vm, self).command.cla;
      return ((cla & 0x40) !== 0 ? cla & 0x20 : cla & 0x0c) !== 0 ? 1 : 0;
    },
    "isISOInterindustryCLA()Z": (vm, [self]) => ((state(vm, self).command.cla & 0x80) === 0 ? 1 : 0),
    "isValidCLA()Z": (vm, [self]) => (state(vm, self).command.cla !== 0xff ? 1 : 0),
    "waitExtension()V": () => {},
    // Static methods.
    "getInBlockSize()S": () => 0xfe,
    "getOutBlockSize()S": () => 0xfe,
    "getProtocol()B": () => 0x01, // PROTOCOL_T1: the simulated card answers over T=1
    "getCurrentAPDU()Ljavacard/framework/APDU;": (vm) => vm.jcre.apdu?.object ?? illegal(vm),
    "getCurrentAPDUBuffer()[B": (vm) => vm.jcre.apdu?.buffer ?? illegal(vm),
    "getCurrentSelectedChannel()B": () => 0,
  },
};

/** The bytes of the APDU buffer (for the JCRE). */
export function apduBufferBytes(s: ApduState): Uint8Array {
  return bytesOf(s.buffer);
}
