#!/usr/bin/env bash
# Runs every Matcha test: fast tests, and the cross-service tests that start the real
# AppHost (Postgres and Redis as local processes, installed here if missing), and the browser
# tests (Debian's chromium, installed here if missing).
# Extra arguments go to `dotnet test`, e.g. ./eng/test.sh --filter "FullyQualifiedName~Gateway"
set -euo pipefail
cd "$(dirname "$0")/.."

./eng/install-prerequisites.sh --local --browser

results="$(mktemp -d)"
status=0
dotnet test Matcha.sln \
  --configuration Release \
  --blame-hang-timeout 10m \
  --logger "console;verbosity=normal" \
  --logger "trx;LogFilePrefix=matcha" \
  --results-directory "$results" \
  "$@" || status=$?

# One closing line for every runner that reads it: "N passed, N failed, N skipped".
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [[ -e "$trx" ]] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed)))
  total=$(get total); executed=$(get executed)
  skipped=$((skipped + total - executed))
done
rm -rf "$results"
echo "Tests: $passed passed, $failed failed, $skipped skipped"
if ((passed == 0 && status == 0)); then
  echo "No test ran." >&2
  exit 1
fi
exit $status
