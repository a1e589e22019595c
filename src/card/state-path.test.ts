import { test, expect } from "bun:test";
import { defaultStatePath } from "./state-path.ts";

test.each([
  [{ XDG_DATA_HOME: "/data", HOME: "/home/u" }, "linux", "/data/webcard/card.sqlite"],
  [{ XDG_DATA_HOME: "relative", HOME: "/home/u" }, "linux", "/home/u/.local/share/webcard/card.sqlite"],
  [{ HOME: "/home/u" }, "linux", "/home/u/.local/share/webcard/card.sqlite"],
  [{ HOME: "/Users/u" }, "darwin", "/Users/u/Library/Application Support/webcard/card.sqlite"],
  [{ APPDATA: "C:\\Users\\u\\AppData\\Roaming" }, "win32", "C:\\Users\\u\\AppData\\Roaming\\webcard\\card.sqlite"],
  [{ USERPROFILE: "C:\\Users\\u" }, "win32", "C:\\Users\\u\\AppData\\Roaming\\webcard\\card.sqlite"],
] as const)("default state path %j on %s", (env, platform, expected) => {
  expect(defaultStatePath(env, platform)).toBe(expected);
});
