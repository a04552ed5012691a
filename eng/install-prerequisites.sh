#!/usr/bin/env bash
# Installs what Matcha needs beyond the .NET SDK, and only what is missing:
#   - PostgreSQL (15+) and redis-server, unless a container runtime answers
#     (pass --local to install them regardless, as the tests run Postgres and Redis locally),
#     and redis-cli (Debian's redis-tools), which creates a Redis Cluster (--redis-cluster, and --local:
#     the tests run one; redis-server's package depends on redis-tools, this makes sure of it);
#   - with --browser, Debian's chromium, which the browser tests drive through Playwright
#     (Playwright's own browser download is not needed; its driver ships inside the NuGet package),
#     and a Korean font (fonts-nanum) so Hangul in the tests' screenshots is not drawn as boxes;
#   - buf, from npm into .tools/buf (eng/install-buf.sh; Node.js and npm from apt-get if missing),
#     which the contract tests run;
#   - smtp4dev, the local mail sink the AppHost runs, as a .NET tool into .tools/smtp4dev, compiled
#     ahead of time once so that it starts sooner
#     (eng/install-smtp4dev.sh; needs only the .NET SDK);
#   - kubectl (Debian's kubernetes-client; eng/install-kubectl.sh), with which the tests render deploy/k8s;
#   - the dotnet-ef tool is NOT installed here: it is only needed to add migrations (docs/development.md).
# Uses apt-get (Debian/Ubuntu), with sudo when not root.
set -euo pipefail

force_local=false
browser=false
redis_cluster=false
for arg in "$@"; do
  case "$arg" in
    --local) force_local=true; redis_cluster=true ;;
    --redis-cluster) redis_cluster=true ;;
    --browser) browser=true ;;
  esac
done

log() { printf '\033[1;34m[matcha]\033[0m %s\n' "$*" >&2; }

container_runtime_answers() {
  local runtime="${ASPIRE_CONTAINER_RUNTIME:-docker}"
  command -v "$runtime" >/dev/null 2>&1 && timeout 10 "$runtime" info >/dev/null 2>&1
}

have_postgres() {
  command -v postgres >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

have_redis() { command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]]; }

have_redis_cli() { command -v redis-cli >/dev/null 2>&1 || [[ -x /usr/bin/redis-cli ]]; }

have_chromium() { [[ -x /usr/lib/chromium/chromium ]] || command -v chromium >/dev/null 2>&1; }

have_korean_font() { [[ -d /usr/share/fonts/truetype/nanum ]] || { command -v fc-list >/dev/null 2>&1 && fc-list :lang=ko | grep -q .; }; }

packages=()
$browser && ! have_chromium && packages+=(chromium)
$browser && ! have_korean_font && packages+=(fonts-nanum)

if ! $force_local && container_runtime_answers; then
  log "A container runtime answers: Postgres and Redis will run as containers."
else
  have_postgres || packages+=(postgresql)
  have_redis || packages+=(redis-server)
  $redis_cluster && ! have_redis_cli && packages+=(redis-tools)
fi

"$(dirname "$0")/install-buf.sh" >/dev/null
"$(dirname "$0")/install-smtp4dev.sh" >/dev/null
"$(dirname "$0")/install-kubectl.sh"

if ((${#packages[@]} == 0)); then
  log "Everything needed is installed."
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  log "Missing: ${packages[*]}. Install them with your package manager (or start Docker/Podman), then try again."
  exit 1
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { log "Missing: ${packages[*]}; run as root or install sudo."; exit 1; }
  sudo="sudo"
fi

log "Installing ${packages[*]} with apt-get (once)..."
export DEBIAN_FRONTEND=noninteractive
# The packages' own services are not wanted (the AppHost starts its own servers on free
# ports): a policy-rc.d that says "no" keeps the install from starting them.
policy=/usr/sbin/policy-rc.d
added_policy=false
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && added_policy=true
fi
trap '$added_policy && $sudo rm -f "$policy"' EXIT
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
log "Installed ${packages[*]}."
