#!/usr/bin/env bash
# Installs smtp4dev (the local mail sink the AppHost runs: Accounts' verification mail lands
# there, and its web UI and REST API show it) as a .NET tool into .tools/smtp4dev, once.
# Needs only the .NET SDK. Prints the path of the smtp4dev executable.
set -euo pipefail
cd "$(dirname "$0")/.."

version=3.15.0
dir=.tools/smtp4dev
log() { printf '\033[1;34m[matcha]\033[0m %s\n' "$*" >&2; }

if [[ -x $dir/smtp4dev ]] && dotnet tool list --tool-path "$dir" 2>/dev/null | grep -qi "rnwood.smtp4dev *$version"; then
  echo "$PWD/$dir/smtp4dev"
  exit 0
fi

log "Installing smtp4dev $version into $dir..."
rm -rf "$dir"
dotnet tool install Rnwood.Smtp4dev --version "$version" --tool-path "$dir" >&2
echo "$PWD/$dir/smtp4dev"
