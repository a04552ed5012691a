#!/usr/bin/env bash
# A streaming-replication hot standby of Matcha's local Postgres, run by the AppHost as the resource
# "postgres-standby" (--postgres standby; docs/scaling.md, "Postgres standby"). On the first start it
# copies the primary with pg_basebackup (retrying while the primary starts or the AppHost creates the
# replication role), then runs postgres as a standby that streams from the primary through a physical
# replication slot. The connection to the primary is given on the command line each start (its port
# changes from run to run); the password is read from a pgpass file, never put on a command line.
#
#   postgres-standby.sh PG_BASEBACKUP POSTGRES DATA PRIMARY_HOST PRIMARY_PORT PASSFILE SLOT PORT [SETTING]...
set -uo pipefail
basebackup=$1 postgres=$2 data=$3 host=$4 port=$5 passfile=$6 slot=$7 own_port=$8
shift 8
conninfo="host=$host port=$port user=replicator passfile=$passfile application_name=matcha-standby"

if [[ ! -f $data/PG_VERSION ]]; then
  log=$(mktemp)
  copied=false
  for _ in $(seq 1 120); do
    find "$data" -mindepth 1 -delete
    chmod 700 "$data"
    if "$basebackup" -d "$conninfo" -D "$data" -X stream -R -c fast -S "$slot" -w 2>"$log"; then
      copied=true
      break
    fi
    sleep 1
  done
  if ! $copied; then
    echo "pg_basebackup from the primary failed for two minutes:" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  echo "Copied the primary on $host:$port into $data"
fi
chmod 700 "$data"

settings=()
for setting in "$@"; do
  settings+=(-c "$setting")
done
# Stopped (the AppHost's stop, or its end), it shuts down fast: Postgres' own answer to TERM, a smart
# shutdown, would wait for Catalog's pooled connections to close, which they do only after minutes idle.
"$postgres" -D "$data" -p "$own_port" \
  -c "primary_conninfo=$conninfo" -c "primary_slot_name=$slot" \
  -c hot_standby=on -c hot_standby_feedback=on "${settings[@]}" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' TERM INT
wait "$pid"
status=$?
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid"
  status=$?
done
exit "$status"
