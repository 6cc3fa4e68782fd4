#!/usr/bin/env bash
# Debian packages that some tests drive from outside Node: headless Chromium (the newcomer's path
# through the GraphQL IDE, test/newcomer-ide.test.ts) and docker-compose (validates the compose
# files offline, test/compose.test.ts; no Docker engine needed). Installs only what is missing, so
# it is quick on a machine that has them. Called by .ci/run and, when a tool is missing, by the
# tests themselves. Usage: scripts/install-test-tools.sh [chromium] [docker-compose] (default both).
set -euo pipefail

wanted=("$@")
(( ${#wanted[@]} )) || wanted=(chromium docker-compose)

missing=()
for tool in "${wanted[@]}"; do
  case "$tool" in
    chromium) [[ -x /usr/bin/chromium ]] || missing+=(chromium) ;;
    docker-compose) command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose) ;;
    *) echo "unknown tool $tool (chromium, docker-compose)" >&2; exit 2 ;;
  esac
done
(( ${#missing[@]} )) || exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing ${missing[*]} and no apt-get here: install them with your system's package manager" >&2
  exit 1
fi
sudo=()
if (( EUID != 0 )); then
  command -v sudo >/dev/null 2>&1 || { echo "installing ${missing[*]} needs root (or sudo)" >&2; exit 1; }
  sudo=(sudo)
fi
echo "installing ${missing[*]} (Debian packages)" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing or stale on a fresh machine: an install of a package they lack fails.
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
