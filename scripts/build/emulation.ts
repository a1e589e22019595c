/**
 * How this machine can run a target's executable: natively when it is the
 * host's own, under QEMU's user-mode emulation when it is the other Linux
 * architecture (Debian: `qemu-user-static`, plus the target's C library and
 * pcsc-lite from `dpkg --add-architecture`), not at all otherwise.
 *
 * QEMU is called explicitly (`qemu-aarch64-static -L / ./webcard-linux-arm64`)
 * instead of relying on a binfmt_misc registration: containers often cannot
 * register one, and an explicit call works with or without it. `-L /` makes
 * the guest's dynamic loader and libraries come from the multiarch paths
 * Debian installs them to (/lib/ld-linux-aarch64.so.1, /usr/lib/aarch64-linux-gnu).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Target } from "./targets.ts";

/** Per Linux architecture: the QEMU user-mode binaries, the ELF interpreter, pcsc-lite, the Debian architecture. */
const LINUX_ARCH = {
  arm64: {
    qemu: ["qemu-aarch64-static", "qemu-aarch64"],
    loader: "/lib/ld-linux-aarch64.so.1",
    pcsclite: "/usr/lib/aarch64-linux-gnu/libpcsclite.so.1",
    debian: "arm64",
  },
  x64: {
    qemu: ["qemu-x86_64-static", "qemu-x86_64"],
    loader: "/lib64/ld-linux-x86-64.so.2",
    pcsclite: "/usr/lib/x86_64-linux-gnu/libpcsclite.so.1",
    debian: "amd64",
  },
} as const;

export interface Runner {
  /** Put before the executable's path: [] natively, [qemu, "-L", "/"] emulated. */
  readonly prefix: readonly string[];
  /** "native" or the QEMU binary used. */
  readonly via: string;
  /** Why PC/SC cannot work for it here (no pcsc-lite of its architecture), or undefined. */
  readonly pcscMissing: string | undefined;
}

export type Emulation = { runner: Runner; missing?: undefined } | { runner?: undefined; missing: string };

function which(names: readonly string[]): string | undefined {
  const dirs = (process.env.PATH ?? "").split(":").filter(Boolean).concat(["/usr/bin", "/usr/local/bin"]);
  for (const name of names) for (const dir of dirs) if (existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

/** How `target`'s executable can run on this machine, or why it cannot. */
export function runnerFor(target: Target): Emulation {
  const hostOs = process.platform === "win32" ? "windows" : process.platform;
  if (target.os === hostOs && target.arch === process.arch) {
    return { runner: { prefix: [], via: "native", pcscMissing: undefined } };
  }
  if (target.os !== "linux" || hostOs !== "linux") {
    return { missing: `no way to run a ${target.os} executable on ${hostOs}` };
  }
  const arch = LINUX_ARCH[target.arch];
  const qemu = which(arch.qemu);
  if (!qemu) return { missing: `${arch.qemu[0]} is not installed (Debian: apt-get install qemu-user-static)` };
  if (!existsSync(arch.loader)) {
    return { missing: `${arch.loader} is missing (Debian: dpkg --add-architecture ${arch.debian}; apt-get install libc6:${arch.debian})` };
  }
  const pcscMissing = existsSync(arch.pcsclite)
    ? undefined
    : `${arch.pcsclite} is missing (Debian: apt-get install libpcsclite1:${arch.debian})`;
  return { runner: { prefix: [qemu, "-L", "/"], via: qemu.split("/").at(-1)!, pcscMissing } };
}
