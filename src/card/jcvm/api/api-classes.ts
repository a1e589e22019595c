/**
 * The card's Java Card API as JClass objects: every package, class and
 * interface of the token table (api/tokens.json, generated from the public
 * export files), with the TypeScript natives that implement its methods.
 * A CAP links to them by (package AID, class token, method token).
 */
import table from "./tokens.json" with { type: "json" };
import type { ApiPackageClasses, JClass } from "../model.ts";
import { JCRE_CONTEXT } from "../model.ts";
import { NATIVES } from "../natives/index.ts";

interface TableClass {
  name: string;
  token: number;
  interface: boolean;
  supers: string[];
  interfaces: string[];
  methods: [string, string, number, string][];
  fields: [string, number, string][];
}

interface TablePackage {
  name: string;
  aid: string;
  version: string;
  classes: TableClass[];
}

const packages = (table as unknown as { packages: TablePackage[] }).packages;
const byName = new Map<string, { pkg: TablePackage; cls: TableClass }>();
for (const pkg of packages) for (const cls of pkg.classes) byName.set(`${pkg.name}.${cls.name}`, { pkg, cls });

const built = new Map<string, JClass>();

/** The API class or interface of that dotted name ("javacard.framework.APDU"). */
export function apiClass(name: string): JClass {
  const done = built.get(name);
  if (done) return done;
  const entry = byName.get(name);
  if (!entry) throw new RangeError(`${name} is not in the Java Card API table`);
  const { cls } = entry;
  const superclass = cls.interface || cls.supers.length === 0 ? undefined : apiClass(cls.supers[cls.supers.length - 1]!);
  const own = cls.interfaces.map(apiClass);
  const interfaces = [...new Set([...(superclass?.interfaces ?? []), ...own])];
  const keys = (kind: string) => new Map(cls.methods.filter((m) => m[3] === kind).map((m) => [m[2], `${m[0]}${m[1]}`] as const));
  const jclass: JClass = {
    name,
    isInterface: cls.interface,
    superclass,
    interfaces,
    context: JCRE_CONTEXT,
    natives: NATIVES[name] ?? {},
    virtualKeys: keys("v"),
    interfaceKeys: keys("i"),
    staticKeys: keys("s"),
  };
  built.set(name, jclass);
  return jclass;
}

/** The API package with that AID (hex, upper case), or undefined. */
export function apiPackage(aidHex: string): ApiPackageClasses | undefined {
  const pkg = packages.find((p) => p.aid === aidHex);
  if (!pkg) return undefined;
  const byToken = new Map<number, JClass>();
  for (const cls of pkg.classes) byToken.set(cls.token, apiClass(`${pkg.name}.${cls.name}`));
  return { name: pkg.name, aidHex, byToken };
}

/** Is the API class `name` known to the token table? */
export function isApiClass(name: string): boolean {
  return byName.has(name);
}
