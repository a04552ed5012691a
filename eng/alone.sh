#!/usr/bin/env bash
# One service on its own, as it would build, start and test outside this repository's AppHost
# (docs/contracts.md, "One repository, or one per service?"):
#   1. builds only the service's project and the libraries it references (--no-incremental);
#   2. starts a throwaway Postgres and Redis as local processes, the service against them with
#      nothing but its own settings, and waits for its /health;
#   3. runs the service's tests that need no AppHost.
# Prints how long each step took, then one line: "alone: SERVICE build_s=… start_s=… tests=…".
#   --compare   also builds the whole solution the same way, for the ratio.
# usage: ./eng/alone.sh catalog|ratings|accounts|social [--compare]
# Needs the prerequisites ./eng/install-prerequisites.sh --local installs (Postgres, Redis) and openssl.
set -euo pipefail
cd "$(dirname "$0")/.."

service="${1:-}"
case "$service" in
  catalog|ratings|accounts|social) ;;
  *) echo "usage: $0 catalog|ratings|accounts|social [--compare]" >&2; exit 2 ;;
esac
compare=false
[[ "${2:-}" == "--compare" ]] && compare=true
project="Matcha.${service^}"
for tool in initdb postgres pg_isready createdb redis-server openssl; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run ./eng/install-prerequisites.sh --local (and apt-get install openssl)." >&2; exit 1; }
done

seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)); }

root="$(mktemp -d /tmp/matcha-alone.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT

echo "== build $project alone"
started=$(date +%s%N)
dotnet build "$project" -c Release --no-incremental -v quiet -nologo | tail -3
build_s=$(seconds "$started" "$(date +%s%N)")
echo "   $build_s s"
if $compare; then
  echo "== build Matcha.sln (everything), for comparison"
  started=$(date +%s%N)
  dotnet build Matcha.sln -c Release --no-incremental -v quiet -nologo | tail -3
  all_s=$(seconds "$started" "$(date +%s%N)")
  echo "   $all_s s"
fi

echo "== Postgres and Redis of its own"
# As root, postgres runs as its own account (initdb refuses root).
run_pg=()
if ((EUID == 0)); then
  chmod 755 "$root"; mkdir "$root/pg"; chown postgres "$root/pg"
  run_pg=(setpriv --reuid=postgres --regid=postgres --clear-groups --)
fi
pg_port=$(free_port); redis_port=$(free_port)
"${run_pg[@]}" initdb -D "$root/pg/data" -U matcha --auth=trust >/dev/null
"${run_pg[@]}" postgres -D "$root/pg/data" -p "$pg_port" -k "$root/pg" -c listen_addresses=127.0.0.1 \
  -c wal_level=logical -c autovacuum_naptime=5s >"$root/postgres.log" 2>&1 &
pids+=($!)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$root/redis.log" 2>&1 &
pids+=($!)
until pg_isready -q -h 127.0.0.1 -p "$pg_port"; do sleep 0.2; done
createdb -h 127.0.0.1 -p "$pg_port" -U matcha "${service}db"

echo "== start $project alone"
# The gateway's key pair is made here: the service only needs the public half.
public_key=$(openssl ecparam -name prime256v1 -genkey -noout | openssl pkey -pubout -outform DER | base64 -w0)
http_port=$(free_port)
env=(
  "ASPNETCORE_URLS=http://127.0.0.1:$http_port"
  "ConnectionStrings__${service}db=Host=127.0.0.1;Port=$pg_port;Username=matcha;Database=${service}db"
  "ConnectionStrings__redis=127.0.0.1:$redis_port"
  "InternalIdentity__PublicKey=$public_key"
)
if [[ "$service" == accounts ]]; then
  env+=("Accounts__SigningKeys__EncryptionSecret=$(openssl rand -hex 32)"
        "Accounts__Bootstrap__AdminEmail=admin@matcha.local"
        "Accounts__Bootstrap__AdminPassword=$(openssl rand -hex 16)")
fi
started=$(date +%s%N)
env "${env[@]}" dotnet "$project/bin/Release/net10.0/$project.dll" >"$root/service.log" 2>&1 &
service_pid=$!
pids+=("$service_pid")
until curl -sf -o /dev/null "http://127.0.0.1:$http_port/health"; do
  if ! kill -0 "$service_pid" 2>/dev/null; then
    echo "$project stopped before it was healthy; its log:" >&2
    tail -40 "$root/service.log" >&2
    exit 1
  fi
  if (( $(date +%s%N) - started > 120000000000 )); then
    echo "$project was not healthy within 120 s; its log:" >&2
    tail -40 "$root/service.log" >&2
    exit 1
  fi
  sleep 0.2
done
start_s=$(seconds "$started" "$(date +%s%N)")
echo "   healthy at http://127.0.0.1:$http_port/health after $start_s s (migrations and seed included)"

echo "== $project's tests that need no AppHost"
namespace="Matcha.Tests.${service^}"
summary=$(dotnet test Matcha.Tests -c Release -nologo \
  --filter "FullyQualifiedName~$namespace.&Category!=AppHost&Category!=Browser&Category!=Slow" 2>&1 | tee "$root/tests.log" | grep -E "^(Passed|Failed)!" || true)
echo "   ${summary:-no test ran}"
[[ "$summary" == Passed!* ]] || { tail -30 "$root/tests.log" >&2; exit 1; }
tests=$(sed -n 's/.*Passed: *\([0-9]*\).*/\1/p' <<<"$summary")

line="alone: $service build_s=$build_s start_s=$start_s tests=$tests"
$compare && line+=" solution_build_s=$all_s"
echo "$line"
