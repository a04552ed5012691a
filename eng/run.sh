#!/usr/bin/env bash
# Starts all of Matcha under the Aspire AppHost: Postgres, Redis, Catalog, Ratings, Accounts
# and the gateway, with the Aspire dashboard. Installs local Postgres/Redis first if no
# container runtime answers and they are missing.
#
#   ./eng/run.sh            start (local data persists between runs)
#   ./eng/run.sh --reset    start with an empty data folder (local-process mode)
#   ./eng/run.sh --local    force local processes even when a container runtime answers
#   ./eng/run.sh --relay cdc  relay events by change data capture instead of the outbox table (notify)
#   ./eng/run.sh --redis cluster  Redis as a Redis Cluster of three local masters (local processes; docs/scaling.md)
#   ./eng/run.sh --postgres standby  a streaming-replication hot standby for Catalog's public reads (local processes; docs/scaling.md)
#   ./eng/run.sh --replicas 2  two processes of every service and of the gateway, each behind one address (docs/scaling.md)
#   ./eng/run.sh --chaos    the gateway's screen calls to Catalog and Ratings fail 30 % and wait 500 ms (Polly chaos)
#   Any other arguments go to the AppHost, e.g. --Matcha:Infrastructure:DataDirectory=/srv/matcha
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
install_args=()
relay_next=false
redis_next=false
postgres_next=false
replicas_next=false
for arg in "$@"; do
  if $relay_next; then args+=("--Parameters:events-relay=$arg"); relay_next=false; continue; fi
  if $replicas_next; then
    [[ "$arg" =~ ^[1-9][0-9]*$ ]] || { echo "--replicas takes a number of processes (1 or more), not '$arg'" >&2; exit 2; }
    args+=("--Matcha:Replicas=$arg"); replicas_next=false; continue
  fi
  if $redis_next; then
    case "$arg" in
      cluster) args+=("--Matcha:Infrastructure:Redis=Cluster"); install_args+=(--local --redis-cluster) ;;
      standalone) args+=("--Matcha:Infrastructure:Redis=Standalone") ;;
      *) echo "--redis takes cluster or standalone, not '$arg'" >&2; exit 2 ;;
    esac
    redis_next=false; continue
  fi
  if $postgres_next; then
    case "$arg" in
      standby) args+=("--Matcha:Infrastructure:Postgres=Standby"); install_args+=(--local) ;;
      primary) args+=("--Matcha:Infrastructure:Postgres=Primary") ;;
      *) echo "--postgres takes standby or primary, not '$arg'" >&2; exit 2 ;;
    esac
    postgres_next=false; continue
  fi
  case "$arg" in
    --postgres) postgres_next=true ;;
    --relay) relay_next=true ;;
    --redis) redis_next=true ;;
    --replicas) replicas_next=true ;;
    --reset) args+=("--Matcha:Infrastructure:ResetData=true") ;;
    --chaos) args+=("--Matcha:Chaos=true") ;;
    --local) args+=("--Matcha:Infrastructure:Mode=Local"); install_args+=(--local) ;;
    *) args+=("$arg") ;;
  esac
done

./eng/install-prerequisites.sh "${install_args[@]}"
# -p:MatchaReadyToRun=true: the AppHost and the services, with their packages, compiled ahead of time
# after the build (eng/ReadyToRun.targets), so that their processes start with less to JIT-compile.
if [[ ! -d Matcha.AppHost/obj/Debug/net10.0/R2R ]]; then
  printf '\033[1;34m[matcha]\033[0m %s\n' "The first run compiles the AppHost and the services ahead of time: a few minutes, once." >&2
fi
# Tier-1 recompilation of hot methods waits until no new method has been compiled for 3 s (the
# runtime's default: 100 ms), so that it does not compete with the start of every process on the
# machine's cores; the precompiled code runs meanwhile. Every process of the run inherits it.
export DOTNET_TC_CallCountingDelayMs=${DOTNET_TC_CallCountingDelayMs:-3000}
exec dotnet run --project Matcha.AppHost --launch-profile http -p:MatchaReadyToRun=true -- "${args[@]}"
