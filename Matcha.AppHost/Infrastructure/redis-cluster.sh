#!/usr/bin/env bash
# A Redis Cluster of local masters, run by Matcha's AppHost as one resource ("redis"): starts one
# redis-server per node, creates the cluster the first time (redis-cli --cluster create), and
# stops every node when it is stopped. Each node keeps its cluster state in <dir>/<port>/nodes.conf,
# so a later start (the AppHost's stop and start, or a new run on kept data) rejoins the same
# cluster with the same slots. The password is read from the config file, never put on a command line.
#
#   redis-cluster.sh REDIS_SERVER REDIS_CLI CONFIG DIR PORT:BUS_PORT...
set -uo pipefail
server=$1 cli=$2 config=$3 dir=$4
shift 4
nodes=("$@")
pids=()

# Stops every node and waits until each has exited (and let go of its ports).
stop() {
  trap - TERM INT
  kill -TERM "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
  exit "$1"
}
trap 'stop 0' TERM INT

for node in "${nodes[@]}"; do
  port=${node%%:*} bus=${node##*:}
  mkdir -p "$dir/$port"
  "$server" "$config" --port "$port" --cluster-port "$bus" --dir "$dir/$port" &
  pids+=($!)
done

REDISCLI_AUTH=$(sed -n 's/^requirepass //p' "$config")
export REDISCLI_AUTH
addresses=()
for node in "${nodes[@]}"; do
  port=${node%%:*}
  addresses+=("127.0.0.1:$port")
  until [[ $("$cli" -p "$port" ping 2>/dev/null) == PONG ]]; do
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "A Redis node exited while starting." >&2; stop 1; }
    done
    sleep 0.1
  done
done

# A node that knows no other has joined no cluster yet: create it, once.
if "$cli" -p "${nodes[0]%%:*}" cluster info | tr -d '\r' | grep -qx 'cluster_known_nodes:1'; then
  "$cli" --cluster create "${addresses[@]}" --cluster-replicas 0 --cluster-yes >/dev/null || stop 1
fi
echo "Redis Cluster of ${#nodes[@]} masters on ${addresses[*]}"

# Runs until stopped, or until a node exits: then the others are stopped too and the resource shows as exited.
wait -n "${pids[@]}"
echo "A Redis node exited; stopping the others." >&2
stop 1
