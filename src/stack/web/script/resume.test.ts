/**
 * Resume and replace in the card's script (docs/card-scripts.md section 6):
 * `find package`, `if`, `!in` and `order delete`, and the built-in load
 * script against a registry that already holds the package.
 */
import { describe, expect, test } from "bun:test";
import { FormatError } from "../../errors.ts";
import { LOAD_SCRIPT } from "../default-scripts.ts";
import type { LoaderPort, RegistryView } from "../port.ts";
import { parseScript } from "./parse.ts";
import { runScript, type InstallChoice, type Value } from "./run.ts";

const PKG = "0102030405";
const APPLET = "010203040501";

/** IL with a registry the orders change, recording every order. */
function cardWith(registry: RegistryView, installedState = 7) {
  const orders: string[] = [];
  const port: LoaderPort = {
    facts: async () => ({ capVersions: ["2.1"], freeMemory: 10_000, blockSize: 255, where: "card" }),
    registry: async () => structuredClone(registry),
    installForLoad: async (aid) => void orders.push(`install-for-load ${Buffer.from(aid).toString("hex").toUpperCase()}`),
    load: async (_f, progress) => {
      orders.push("load");
      await progress(10, 10);
      registry.loadFiles.push({ aid: PKG, lifecycle: 1, version: "1.0", modules: [APPLET] });
    },
    install: async (o) => {
      const instance = Buffer.from(o.instance).toString("hex").toUpperCase();
      orders.push(`install ${instance} from ${Buffer.from(o.loadFile).toString("hex").toUpperCase()}`);
      registry.applications.push({ aid: instance, lifecycle: installedState, privileges: "00", loadFile: PKG });
    },
    delete: async (aid) => {
      const hex = Buffer.from(aid).toString("hex").toUpperCase();
      orders.push(`delete ${hex}`);
      registry.loadFiles = registry.loadFiles.filter((f) => f.aid !== hex);
      registry.applications = registry.applications.filter((a) => a.aid !== hex && a.loadFile !== hex);
    },
  };
  return { port, orders, registry };
}

const vars = (extra: Record<string, Value> = {}) =>
  new Map<string, Value>(
    Object.entries({ "load-file": new Uint8Array(10), package: PKG, "package-version": "1.0", "cap-version": "2.1", "cap-versions": "2.1", "load-size": "10", "free-memory": "10000", ...extra }),
  );
const choice = (instance: string): InstallChoice[] => [{ module: APPLET, instance, privileges: "00", parameters: "" }];
const secure = { authenticated: true, level: 1 };

function run(card: ReturnType<typeof cardWith>, extra: Record<string, Value> = {}, instance = APPLET) {
  return runScript(parseScript(LOAD_SCRIPT), { vars: vars(extra), installs: choice(instance), security: secure, spendNonce: () => true, port: card.port });
}

const loaded = (): RegistryView => ({
  isd: "A000000151000000",
  applications: [{ aid: APPLET, lifecycle: 7, privileges: "00", loadFile: PKG }],
  loadFiles: [{ aid: PKG, lifecycle: 1, version: "1.0", modules: [APPLET] }],
});

describe("the load script on a card that already has the package", () => {
  test("an empty card: load and install", async () => {
    const card = cardWith({ isd: "A0", applications: [], loadFiles: [] });
    const r = await run(card);
    expect(card.orders).toEqual([`install-for-load ${PKG}`, "load", `install ${APPLET} from ${PKG}`]);
    expect({ status: r.status, message: r.message, loaded: r.loaded, deleted: r.deleted }).toEqual({ status: 200, message: `package ${PKG} loaded and installed`, loaded: true, deleted: [] });
  });

  test("the same package and one of its instances: refused with 409, nothing ordered", async () => {
    const card = cardWith(loaded());
    const r = await run(card);
    expect(card.orders).toEqual([]);
    expect({ status: r.status, message: r.message }).toEqual({ status: 409, message: `Package ${PKG} and instance ${APPLET} are already on the card` });
  });

  test("another version on the card: refused with 409 naming both", async () => {
    const card = cardWith(loaded());
    const r = await run(card, { "package-version": "1.1" }, "01020304050102");
    expect(card.orders).toEqual([]);
    expect({ status: r.status, message: r.message }).toEqual({ status: 409, message: `Package ${PKG} version 1.0 is already on the card; this file has version 1.1` });
  });

  test("a new instance of the same version: installed from the package, no LOAD", async () => {
    const card = cardWith(loaded());
    const r = await run(card, {}, "01020304050102");
    expect(card.orders).toEqual([`install 01020304050102 from ${PKG}`]);
    expect({ status: r.status, loaded: r.loaded, installed: r.installed, message: r.message }).toEqual({
      status: 200,
      loaded: false,
      installed: ["01020304050102"],
      message: `package ${PKG} installed from the copy already on the card`,
    });
  });

  test("a package without instances (an install cut before INSTALL, or `load`): installed from it", async () => {
    const card = cardWith({ isd: "A0", applications: [], loadFiles: [{ aid: PKG, lifecycle: 1, version: "1.0", modules: [APPLET] }] });
    const r = await run(card);
    expect(card.orders).toEqual([`install ${APPLET} from ${PKG}`]);
    expect(r.loaded).toBe(false);
  });

  test("replace=yes: the package and its instances go first, then a fresh load", async () => {
    const card = cardWith(loaded());
    card.registry.applications.push({ aid: "01020304050102", lifecycle: 7, privileges: "00", loadFile: PKG });
    const r = await run(card, { replace: "yes" });
    expect(card.orders).toEqual([`delete ${PKG}`, `install-for-load ${PKG}`, "load", `install ${APPLET} from ${PKG}`]);
    expect({ status: r.status, deleted: r.deleted, loaded: r.loaded }).toEqual({ status: 200, deleted: [PKG], loaded: true });
    expect(card.registry.applications.map((a) => a.aid)).toEqual([APPLET]);
  });

  test("replace=yes: an instance AID of another package in the way is deleted too", async () => {
    const card = cardWith({ isd: "A0", applications: [{ aid: APPLET, lifecycle: 7, privileges: "00", loadFile: "0A0B0C0D0E" }], loadFiles: [{ aid: "0A0B0C0D0E", lifecycle: 1, version: "1.0", modules: [] }] });
    const r = await run(card, { replace: "yes" });
    expect(card.orders).toEqual([`delete ${APPLET}`, `install-for-load ${PKG}`, "load", `install ${APPLET} from ${PKG}`]);
    expect(r.status).toBe(200);
  });
});

describe("the result reads the installed instances back from IL's registry", () => {
  test("the life cycle byte the registry lists, not the one the order asked for", async () => {
    const selectable = await run(cardWith({ isd: "A0", applications: [], loadFiles: [] }));
    expect(selectable.lifecycles).toEqual({ [APPLET]: 0x07 });
    // A card whose INSTALL leaves the instance INSTALLED only (GP 5.3.1): the result says so.
    const installedOnly = await run(cardWith({ isd: "A0", applications: [], loadFiles: [] }, 0x03));
    expect(installedOnly.lifecycles).toEqual({ [APPLET]: 0x03 });
    // A refusal installs nothing and reads nothing back.
    const refused = await run(cardWith(loaded()));
    expect(refused.lifecycles).toBeUndefined();
  });
});

describe("the language additions", () => {
  test("if blocks run only when true, nest inside each, and !in is the negation of in", async () => {
    const script = parseScript(`
set seen ""
if $x !in a,b
  report "x is not a or b"
end
if $x in A,C
  report "x is a or c (case does not matter)"
end
each install
  if $instance == ${APPLET}
    report "installing the applet"
  end
end
`);
    const card = cardWith(loaded());
    const r = await runScript(script, { vars: new Map([["x", "a"]]), installs: choice(APPLET), security: secure, spendNonce: () => true, port: card.port });
    expect(r.progress).toEqual(["x is a or c (case does not matter)", "installing the applet"]);
  });

  test("find package sets what is on the card", async () => {
    const card = cardWith(loaded());
    const values = new Map<string, Value>();
    await runScript(parseScript(`find package ${PKG}`), { vars: values, installs: [], security: secure, spendNonce: () => true, port: card.port });
    expect(Object.fromEntries(values)).toEqual({ found: "yes", "found-version": "1.0", "found-instances": APPLET, "card-apps": APPLET });
    await runScript(parseScript("find package 0A0B0C0D0E"), { vars: values, installs: [], security: secure, spendNonce: () => true, port: card.port });
    expect(values.get("found")).toBe("no");
    expect(values.get("found-version")).toBe("");
  });

  test("find package with something other than an AID stops with 400", async () => {
    const card = cardWith(loaded());
    const r = await runScript(parseScript('find package "hello"'), { vars: new Map(), installs: [], security: secure, spendNonce: () => true, port: card.port });
    expect({ status: r.status, message: r.message }).toEqual({ status: 400, message: "Script line 1: find package takes an AID in hex" });
  });

  test.each([
    ["if without end", "if $a == b", "Script line 1: if without end"],
    ["if with two words", "if $a ==\nend", "Script line 1: if takes LEFT OP RIGHT"],
    ["find of something else", "find applet 0102030405", "Script line 1: find takes package AID"],
    ["each in each", "each install\nif $a == b\neach install\nend\nend\nend", "Script line 3: each blocks do not nest"],
    ["blocks too deep", "if $a == b\nif $a == b\nif $a == b\nif $a == b\nif $a == b\nend\nend\nend\nend\nend", "Script line 5: blocks nest at most 4 deep"],
  ])("%s is refused when stored", (_name, source, message) => {
    expect(() => parseScript(source)).toThrow(FormatError);
    expect(() => parseScript(source)).toThrow(message);
  });
});
