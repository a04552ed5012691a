#!/usr/bin/env bash
# Installs buf (the Protocol Buffers tool that checks contracts/proto against contracts/released
# for breaking changes) from npm into .tools/buf, once; Node.js and npm from apt-get if missing.
# Prints the path of the buf binary.
set -euo pipefail
cd "$(dirname "$0")/.."

version=1.75.0
buf=.tools/buf/node_modules/.bin/buf
log() { printf '\033[1;34m[matcha]\033[0m %s\n' "$*" >&2; }

if [[ -x $buf ]] && [[ "$($buf --version 2>/dev/null)" == "$version" ]]; then
  echo "$PWD/$buf"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  log "Installing Node.js and npm with apt-get (for buf)..."
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

log "Installing buf $version from npm into .tools/buf..."
npm install --prefix .tools/buf --no-save --no-package-lock --no-audit --no-fund --loglevel=error "@bufbuild/buf@$version" >&2
echo "$PWD/$buf"
