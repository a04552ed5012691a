#!/usr/bin/env bash
# Samples what the benchmark's Postgres sessions wait for, beside a running benchmark (docs/performance.md,
# "The relay's wake-up, in process"): every 100 ms, each client session that has been in one statement for
# more than 40 ms, with its wait event; every 500 ms, the vacuums in progress. Prints a tally at the end.
#   bench/pg-waits.sh [seconds] [output prefix]      (defaults: until the benchmark's Postgres stops; /tmp/pg-waits)
set -euo pipefail
seconds=${1:-0}
out=${2:-/tmp/pg-waits}

pid=""
until [[ -n "$pid" ]]; do   # the benchmark's own Postgres, started under /tmp/matcha-bench-*
  pid=$(pgrep -f "postgres -D /tmp/matcha-bench-[^ ]*/postgres" | head -1 || true)
  [[ -n "$pid" ]] || sleep 1
done
args=$(tr '\0' ' ' < "/proc/$pid/cmdline")
port=$(sed -n 's/.* -p \([0-9]*\).*/\1/p' <<< "$args")
data=$(sed -n 's/.* -D \([^ ]*\).*/\1/p' <<< "$args")
export PGPASSWORD=$(cat "$(dirname "$data")/postgres.password")
echo "Postgres on port $port ($data); writing $out-active.txt and $out-vacuum.txt" >&2

active="SELECT to_char(clock_timestamp(),'HH24:MI:SS.MS'), datname, wait_event_type||':'||coalesce(wait_event,''),
  round(extract(epoch FROM clock_timestamp()-query_start)*1000), left(regexp_replace(query,'\s+',' ','g'),70)
  FROM pg_stat_activity WHERE state='active' AND pid<>pg_backend_pid() AND backend_type='client backend'
  AND clock_timestamp()-query_start > interval '40 ms' AND query NOT LIKE 'START_REPLICATION%'"
vacuum="SELECT to_char(clock_timestamp(),'HH24:MI:SS.MS'), datname, relid::regclass, phase, heap_blks_scanned FROM pg_stat_progress_vacuum"
pids=()
watch() {   # psql repeats the query until it is stopped or its server goes away
  psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAt -F '|' > "$3" 2>/dev/null <<< "$1"$'\n'"\\watch $2" &
  pids+=($!)
}
watch "$active" 0.1 "$out-active.txt"
watch "$vacuum" 0.5 "$out-vacuum.txt"
if (( seconds > 0 )); then sleep "$seconds"; kill "${pids[@]}" 2>/dev/null || true; fi
wait || true

echo "Sessions seen in one statement for more than 40 ms, by database, wait and statement (samples):"
cut -d'|' -f2,3,5 "$out-active.txt" | cut -c1-80 | sed 's/[0-9]\+/N/g' | sort | uniq -c | sort -rn | head -15
