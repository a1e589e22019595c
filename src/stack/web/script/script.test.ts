import { describe, expect, test } from "bun:test";
import { FormatError } from "../../errors.ts";
import { LOAD_SCRIPT } from "../default-scripts.ts";
import type { LoaderPort } from "../port.ts";
import { parseScript } from "./parse.ts";
import { preflight, runScript, type Value } from "./run.ts";

function fakePort(failOn?: string) {
  const calls: string[] = [];
  const port: LoaderPort = {
    facts: async () => ({ capVersions: ["2.1"], freeMemory: 1000, blockSize: 255, where: "card" }),
    registry: async () => ({ isd: "", applications: [], loadFiles: [] }),
    installForLoad: async () => void calls.push("install-for-load"),
    load: async (_f, p) => {
      calls.push("load");
      p(1, 1);
    },
    install: async (o) => {
      calls.push(`install ${o.instance.length}`);
      if (failOn === "install") throw Object.assign(new Error("x"), { sw: 0x6985, operation: "INSTALL [for install]", reason: "instance AID 0102030405 is already used" });
    },
    delete: async () => void calls.push("delete"),
  };
  return { port, calls };
}

const vars = (extra: Record<string, Value> = {}) =>
  new Map<string, Value>(Object.entries({ "load-file": new Uint8Array(10), package: "0102030405", "package-version": "1.0", "cap-version": "2.1", "cap-versions": "2.1,2.2", "load-size": "10", "free-memory": "1000", nonce: "N", ...extra }));

const secure = { authenticated: true, level: 1 };
const installs = [{ module: "0102030405060708", instance: "0102030405060708", privileges: "00", parameters: "" }];

describe("card scripts", () => {
  test("the default load script parses", () => {
    expect(parseScript(LOAD_SCRIPT).length).toBeGreaterThan(5);
  });

  test.each([
    ["unknown instruction", "jump 1"],
    ["bad status", 'respond 99 "x"'],
    ["unquoted message", "respond 200 done"],
    ["each without end", "each install"],
    ["end without each", "end"],
    ["bad comparator", 'check $a ~ 1 400 "x"'],
    ["unknown order", "order format"],
  ])("refuses %s, naming the line", (_n, src) => {
    expect(() => parseScript(`# ok\n${src}`)).toThrow(FormatError);
    expect(() => parseScript(`# ok\n${src}`)).toThrow(/line 2/);
  });

  test("runs the orders in order and reports", async () => {
    const { port, calls } = fakePort();
    const r = await runScript(parseScript(LOAD_SCRIPT), { vars: vars(), installs, security: secure, spendNonce: () => true, port });
    expect(r.status).toBe(200);
    expect(calls).toEqual(["install-for-load", "load", "install 8"]);
    expect(r.installed).toEqual(["0102030405060708"]);
    expect(r.message).toBe("package 0102030405 loaded and installed");
  });

  test.each([
    ["no authentication", { authenticated: false, level: 0 }, true, {}, 401],
    ["a spent nonce", secure, false, {}, 403],
    ["a CAP version not taken", secure, true, { "cap-version": "2.3" }, 415],
    ["too big", secure, true, { "load-size": "5000" }, 413],
  ] as const)("stops on %s before any order", async (_n, security, nonce, extra, status) => {
    const { port, calls } = fakePort();
    const r = await runScript(parseScript(LOAD_SCRIPT), { vars: vars(extra), installs, security, spendNonce: () => nonce, port });
    expect(r.status).toBe(status);
    expect(calls).toEqual([]);
  });

  test("a refused order undoes the load and maps the SW", async () => {
    const { port, calls } = fakePort("install");
    const r = await runScript(parseScript(LOAD_SCRIPT), { vars: vars(), installs, security: secure, spendNonce: () => true, port });
    expect(r.status).toBe(409);
    expect(calls).toEqual(["install-for-load", "load", "install 8", "delete"]);
    expect(r.message).toBe("INSTALL [for install] refused with 6985: instance AID 0102030405 is already used");
  });

  test("preflight refuses on the script's opening auth and level lines alone, and stops at the first other line", () => {
    const script = parseScript(LOAD_SCRIPT);
    expect(preflight(script, { authenticated: false, level: 0 })?.status).toBe(401);
    expect(preflight(script, { authenticated: true, level: 0 })?.status).toBe(403);
    expect(preflight(script, secure)).toBeUndefined();
    expect(preflight(parseScript('require nonce\nrequire auth\nrespond 200 "x"'), { authenticated: false, level: 0 })).toBeUndefined();
  });

  test("a variable that fails to parse when first read stops the script with 400 and undoes what was loaded", async () => {
    const { port, calls } = fakePort();
    const v = vars();
    const lazy = new (class extends Map<string, Value> {
      override get(name: string) {
        if (name === "package") throw new FormatError("Cannot read CAP file load-file: not a ZIP or IJC load file");
        return super.get(name);
      }
    })(v);
    const r = await runScript(parseScript(LOAD_SCRIPT), { vars: lazy, installs: () => installs, security: secure, spendNonce: () => true, port });
    expect({ status: r.status, message: r.message }).toEqual({ status: 400, message: "Cannot read CAP file load-file: not a ZIP or IJC load file" });
    expect(calls).toEqual([]);
  });
});
