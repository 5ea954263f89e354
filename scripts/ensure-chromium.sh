#!/usr/bin/env bash
# Makes sure headless Chromium is here for the HTML report's browser test
# (test/browser/report.test.ts drives it with puppeteer-core). CI and a fresh machine start
# without it: install Debian's `chromium` package (apt-get, with sudo when not root). When it is
# already on PATH, or at $CHROMIUM, print its version and change nothing.
# Exit 0 when Chromium runs; non-zero with a line saying what to do when it cannot be installed.
set -euo pipefail

say() { printf 'ensure-chromium: %s\n' "$*" >&2; }

# The Chromium to use: $CHROMIUM when it is set (and executable), else `chromium` on PATH.
found() {
  if [ -n "${CHROMIUM:-}" ]; then
    if [ -x "$CHROMIUM" ]; then printf '%s\n' "$CHROMIUM"; fi
    return 0
  fi
  command -v chromium || true
}

binary="$(found)"
if [ -n "$binary" ]; then
  "$binary" --version 2>/dev/null || say "found $binary (it printed no version)"
  exit 0
fi
if [ -n "${CHROMIUM:-}" ]; then
  say "CHROMIUM=$CHROMIUM is not an executable file: point it at a Chromium binary, or unset it to install Debian's chromium"
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  say "chromium is not on PATH and there is no apt-get here: install Chromium yourself and set CHROMIUM=/path/to/chromium"
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  # -n: never prompt for a password (npm test may run without a terminal); fail and say what to run.
  sudo=(sudo -n)
else
  say "chromium is not on PATH, and installing it needs root: run 'apt-get install -y chromium' as root, or install sudo"
  exit 1
fi

say "chromium is not on PATH: installing Debian's chromium package (apt-get install chromium)"
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get update -qq || ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium; then
  say "apt-get could not install chromium (see above): run 'sudo apt-get install -y chromium' yourself, or set CHROMIUM=/path/to/chromium"
  exit 1
fi
if ! command -v chromium >/dev/null 2>&1; then
  say "the chromium package installed, but no 'chromium' is on PATH: set CHROMIUM=/path/to/chromium"
  exit 1
fi
chromium --version
