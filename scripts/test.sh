#!/usr/bin/env bash
# The test suite (`npm test` runs this after tsc). As root, where `unshare` and
# `ip` exist, it runs in a private mount and network namespace: its own pcscd
# (started by tests/harness/pcscd.ts), its own vpcd readers on its own
# loopback, its own reader locks. So a run never touches the machine's pcscd or
# readers, and two runs on one machine never wait for each other's readers.
# Elsewhere (not root, no unshare, WEBCARD_TEST_SHARED=1) it runs directly and
# uses or starts the machine's pcscd, as before. Arguments go to `bun test`.
set -euo pipefail

private_ok() {
  [ "${WEBCARD_TEST_SHARED:-}" != 1 ] && [ "$(id -u)" = 0 ] &&
    command -v unshare >/dev/null && command -v ip >/dev/null &&
    unshare --mount --net --fork true 2>/dev/null
}

if private_ok; then
  locks="${TMPDIR:-/tmp}/webcard-vpcd-locks"
  # shellcheck disable=SC2016 # expanded by the inner shell
  exec unshare --mount --net --fork sh -c '
    ip link set lo up &&
    mkdir -p /run/pcscd "$0" && mount -t tmpfs tmpfs /run/pcscd && mount -t tmpfs tmpfs "$0" &&
    exec bun test "$@"' "$locks" "$@"
fi
exec bun test "$@"
