/**
 * Where `webcard sim` keeps its card memory by default: the user's data
 * directory (XDG on Linux, Application Support on macOS, %APPDATA% on Windows).
 */
import { homedir } from "node:os";
import { posix, win32 } from "node:path";

/** The default state file: `<data dir>/webcard/card.sqlite`. */
export function defaultStatePath(env: Record<string, string | undefined> = process.env, platform: string = process.platform): string {
  const path = platform === "win32" ? win32 : posix;
  return path.join(dataDirectory(env, platform), "webcard", "card.sqlite");
}

function dataDirectory(env: Record<string, string | undefined>, platform: string): string {
  if (platform === "win32") return env.APPDATA ?? win32.join(env.USERPROFILE ?? homedir(), "AppData", "Roaming");
  if (platform === "darwin") return posix.join(env.HOME ?? homedir(), "Library", "Application Support");
  const xdg = env.XDG_DATA_HOME;
  // XDG Base Directory specification: a relative XDG_DATA_HOME is invalid and ignored.
  if (xdg && xdg.startsWith("/")) return xdg;
  return posix.join(env.HOME ?? homedir(), ".local", "share");
}
