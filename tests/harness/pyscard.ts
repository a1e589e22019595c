/** Finding a Python that has pyscard (Debian's python3-pyscard), for tests that drive the card as another PC/SC client. */

/** Debian's /usr/bin/python3 first (python3-pyscard), then whatever python3 is on PATH; undefined when none imports smartcard. */
export function pythonWithPyscard(): string | undefined {
  for (const python of ["/usr/bin/python3", "python3"]) {
    try {
      if (Bun.spawnSync([python, "-c", "import smartcard.System"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0) return python;
    } catch {
      // not installed
    }
  }
  return undefined;
}
