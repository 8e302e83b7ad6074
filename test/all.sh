#!/usr/bin/env bash
# `npm run test:all` — the README's test command. On a fresh Debian machine as root it installs the
# system packages the suites need (test/support/system-packages.txt) with apt-get, starts dockerd when
# `docker info` fails, installs the npm packages (npm ci) and runs every suite. Without root, or without
# apt-get, it installs nothing: the run then starts with one line per missing piece (what, why, how to
# install it) and the suites needing it are skipped for that reason (failed with NETPEEK_E2E_REQUIRED=1).
# Arguments go to vitest: `.ci/run` adds its reporters this way.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[test:all] %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# Debian puts dockerd and ip in /usr/sbin.
export PATH="$PATH:/usr/sbin:/sbin"

absent=()
while IFS='|' read -r pkg provides _; do
  pkg=${pkg//[[:space:]]/} provides=${provides//[[:space:]]/}
  case "$pkg" in '' | '#'*) continue ;; esac
  command -v "$provides" >/dev/null 2>&1 || absent+=("$pkg")
done <test/support/system-packages.txt

if [ ${#absent[@]} -gt 0 ]; then
  if is_root && command -v apt-get >/dev/null 2>&1; then
    say "installing ${absent[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq "${absent[@]}" >/dev/null; }; then
      say "apt-get could not install them; the suites that need them report it below"
    fi
  elif is_root; then
    say "not installing ${absent[*]}: no apt-get on this machine (see the lines below)"
  else
    say "not installing ${absent[*]}: not root (see the lines below)"
  fi
fi

if ! docker info >/dev/null 2>&1; then
  if is_root && command -v dockerd >/dev/null 2>&1; then
    log=/var/log/netpeek-test-dockerd.log
    say "starting dockerd (log: $log)"
    setsid dockerd >"$log" 2>&1 </dev/null &
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || { say "dockerd did not start; the end of $log:"; tail -n 20 "$log" >&2; }
  fi
fi

npm ci --no-audit --no-fund
exec npx vitest run "$@"
