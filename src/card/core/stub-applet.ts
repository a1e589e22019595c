/** Applets installed from CAP files when the card runs without its JCVM (`--jcvm off`): selectable, nothing more. */
import { ResponseApdu } from "../../stack/apdu.ts";
import { SW } from "../../stack/status-words.ts";
import type { CardApplication } from "../application.ts";

/** An application installed from a CAP file whose bytecode the card does not run. */
export const STUB: Omit<CardApplication, "aid"> = {
  select: () => new Uint8Array(0),
  process: () => ResponseApdu.of(SW.INS_NOT_SUPPORTED),
};
