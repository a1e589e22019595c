/** Applets installed from CAP files: selectable, but the card does not run Java Card bytecode. */
import { ResponseApdu } from "../../stack/apdu.ts";
import { SW } from "../../stack/status-words.ts";
import type { CardApplication } from "../application.ts";

/** An application installed from a CAP file: the card does not run Java Card bytecode. */
export const STUB: Omit<CardApplication, "aid"> = {
  select: () => new Uint8Array(0),
  process: () => ResponseApdu.of(SW.INS_NOT_SUPPORTED),
};
