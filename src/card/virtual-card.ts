/**
 * What any card implementation offers to a reader: the simulated card, a
 * test card, anything that can sit behind vpcd or an in-process transport.
 */
export interface VirtualCard {
  /** The Answer To Reset. */
  atr(): Uint8Array;
  /** Contacts powered: the card starts (and discards unfinished work). */
  powerOn(): void;
  /** Power removed: transient state is lost. */
  powerOff(): void;
  /** Warm reset: as power off then on. */
  reset(): void;
  /** Process one command APDU; return the response APDU (data + SW). Never throws for bad input. */
  process(command: Uint8Array): Uint8Array | Promise<Uint8Array>;
}
