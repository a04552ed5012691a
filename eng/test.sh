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

results="$(mktemp -d)"
status=0
dotnet build Matcha.sln --configuration Release -v quiet -nologo
started=$SECONDS

# dotnet test for Matcha.Tests, built above; $1 names the run's trx files.
run_tests() {
  local name=$1; shift
  dotnet test Matcha.Tests/Matcha.Tests.csproj \
    --no-build \
    --configuration Release \
    --blame-hang-timeout 10m \
    --logger "console;verbosity=normal" \
    --logger "trx;LogFilePrefix=$name" \
    --results-directory "$results" \
    "$@"
}

if $fast || [[ -n "$filter" ]]; then
  run_tests matcha ${filter:+--filter "$filter"} ${args[@]+"${args[@]}"} || status=$?
else
  # The whole suite in two processes side by side, each line of their output marked with its
  # process: the main AppHost's collection in one, and in the other the fast tests and the
  # collections of the AppHost's variants (Category=AppHostVariant: CDC and Redis Cluster,
  # replicas, chaos), one after another. So at most two Matchas run at once, and the main
  # collection, the longest, no longer waits for the rest (docs/development.md, "How the tests are organised").
  # The process's status is kept in a file (a pipeline's element runs in a subshell of its own);
  # a lane that wrote none, however it ended, counts as failed.
  lane() {
    local name=$1 lane_filter=$2
    { local code=0
      run_tests "$name" --filter "$lane_filter" ${args[@]+"${args[@]}"} 2>&1 || code=$?
      echo "$code" >"$results/$name.status"; } \
      | sed -u "s/^/[$name] /"
  }
  lane main "Category=AppHost&Category!=AppHostVariant" &
  lane more "Category!=AppHost|Category=AppHostVariant" &
  wait
  for name in main more; do
    lane_status=$(cat "$results/$name.status" 2>/dev/null || echo 1)
    ((lane_status == 0)) || status=$lane_status
  done
fi

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
elapsed=$((SECONDS - started))
printf 'Test time: %d min %02d s (after the build)\n' $((elapsed / 60)) $((elapsed % 60))
echo "Tests: $passed passed, $failed failed, $skipped skipped"
if ((passed == 0 && status == 0)); then
  echo "No test ran." >&2
  exit 1
fi
exit $status
