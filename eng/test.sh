#!/usr/bin/env bash
# Runs every Matcha test: fast tests, and the cross-service tests that start the real
# AppHost (Postgres and Redis as local processes, installed here if missing), and the browser
# tests (Debian's chromium, installed here if missing).
#   --fast   only the tests that need neither the AppHost nor a browser (every test class that
#            does carries the trait Category=AppHost or Category=Browser), nor the minute-long
#            MovieLens accuracy check (Category=Slow); installs only buf, smtp4dev and kubectl.
# Other arguments go to `dotnet test`, e.g. ./eng/test.sh --filter "FullyQualifiedName~Gateway"
set -euo pipefail
cd "$(dirname "$0")/.."

fast=false
args=()
filter=""
while (($#)); do
  case "$1" in
    --fast) fast=true ;;
    --filter) filter="$2"; shift ;;
    *) args+=("$1") ;;
  esac
  shift
done

# buf checks the gRPC contracts for breaking changes (Contracts/BreakingChangeTests); quick when installed.
./eng/install-buf.sh >/dev/null
# smtp4dev is the mail sink the AppHost runs (tests read verification links from it). The fast
# tests only need it installed (the AppHost's model names its executable); the others start it, so
# it is compiled ahead of time for them (eng/install-smtp4dev.sh).
if $fast; then ./eng/install-smtp4dev.sh --no-readytorun >/dev/null; else ./eng/install-smtp4dev.sh >/dev/null; fi
# kubectl renders deploy/k8s for K8s/ManifestsTests (a fast test; no cluster).
./eng/install-kubectl.sh >/dev/null

if $fast; then
  fast_filter="Category!=AppHost&Category!=Browser&Category!=Slow"
  filter="${filter:+($filter)&}$fast_filter"
  # Anything that still starts the AppHost fails at once instead of running (MatchaAppFixture.CreateBuilderAsync).
  export MATCHA_FAST_TESTS=1
else
  ./eng/install-prerequisites.sh --local --browser
fi
[[ -n "$filter" ]] && args+=(--filter "$filter")

results="$(mktemp -d)"
status=0
dotnet test Matcha.sln \
  --configuration Release \
  --blame-hang-timeout 10m \
  --logger "console;verbosity=normal" \
  --logger "trx;LogFilePrefix=matcha" \
  --results-directory "$results" \
  ${args[@]+"${args[@]}"} || status=$?

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
# Failures again at the end, where a runner that keeps only the tail of the log still shows them.
if ((failed > 0)); then
  echo "Failed tests:"
  for trx in "$results"/*.trx; do
    [[ -e "$trx" ]] || continue
    # Each failed result: its name, then the first lines of its message.
    tr -d '\r' <"$trx" | awk '
      /<UnitTestResult / && /outcome="Failed"/ { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11); inside = 1; lines = 0; print "  FAILED " name; next }
      inside && /<Message>/ { msg = 1; sub(/.*<Message>/, "") }
      inside && msg { line = $0; sub(/<\/Message>.*/, "", line); if (lines++ < 12) print "    " line; if ($0 ~ /<\/Message>/) { msg = 0; inside = 0 } }
    ' | sed -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'
  done
fi
rm -rf "$results"
echo "Tests: $passed passed, $failed failed, $skipped skipped"
if ((passed == 0 && status == 0)); then
  echo "No test ran." >&2
  exit 1
fi
exit $status
