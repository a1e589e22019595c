/**
 * `webcard create INSTANCE --package PKG --applet MODULE`: an instance of a
 * package already on the card (GlobalPlatformPro's --create);
 * `webcard uninstall FILE.cap`: delete the CAP's package and its instances.
 */
import { toHex } from "../../stack/bytes.ts";
import { UsageError } from "../../stack/errors.ts";
import { parsePrivileges } from "../../stack/gp/privileges.ts";
import { fromHex, isHex } from "../../stack/bytes.ts";
import { createInstance } from "../../host/gp/create.ts";
import { deleteAid } from "../../host/gp/manage.ts";
import type { Context } from "../context.ts";
import type { KeyFlags } from "../options.ts";
import { aidFrom } from "../option-values.ts";
import { readLoadFile } from "../load-file.ts";
import { withSession } from "../session.ts";

export interface CreateFlags extends KeyFlags {
  package?: string;
  applet?: string;
  privs?: string;
  params?: string;
  default?: boolean;
  createOnly?: boolean;
}

export async function createCommand(ctx: Context, instanceText: string, flags: CreateFlags): Promise<void> {
  const instance = aidFrom(instanceText, "instance AID");
  if (flags.package === undefined || flags.applet === undefined) throw new UsageError("Name the loaded package and its applet: --package AID --applet AID");
  const packageAid = aidFrom(flags.package, "--package AID");
  const moduleAid = aidFrom(flags.applet, "--applet AID");
  let privileges = 0;
  try {
    privileges = flags.privs === undefined ? 0 : parsePrivileges(flags.privs);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (flags.default) privileges |= 0x040000;
  if (flags.params !== undefined && !isHex(flags.params)) throw new UsageError(`--params must be hex, got '${flags.params}'`);
  await withSession(ctx, flags, async (session, target) => {
    await createInstance(session, {
      packageAid,
      moduleAid,
      instanceAid: instance,
      privileges,
      ...(flags.params ? { params: fromHex(flags.params) } : {}),
      installOnly: flags.createOnly === true,
    });
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, instance: toHex(instance), package: toHex(packageAid), applet: toHex(moduleAid) });
    ctx.out(`Created ${toHex(instance)} from applet ${toHex(moduleAid)} of package ${toHex(packageAid)}`);
  });
}

export async function uninstallCommand(ctx: Context, file: string, flags: KeyFlags): Promise<void> {
  const cap = readLoadFile(file);
  await withSession(ctx, flags, async (session, target) => {
    await deleteAid(session, cap.packageAid, { force: true });
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, deleted: toHex(cap.packageAid) });
    ctx.out(`Uninstalled package ${toHex(cap.packageAid)} and its instances`);
  });
}
