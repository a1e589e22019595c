/** PUT KEY (GP 2.3.1 section 11.8): placeholder until the stack's PUT KEY parser lands. */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { SW } from "../../stack/status-words.ts";
import type { AppContext } from "../application.ts";
import { requireAuth, type IsdEnv } from "./isd-env.ts";

export function putKey(_cmd: CommandApdu, env: IsdEnv, ctx: AppContext): ResponseApdu {
  requireAuth("PUT KEY", env, ctx);
  return ResponseApdu.of(SW.FUNCTION_NOT_SUPPORTED);
}
