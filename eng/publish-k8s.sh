#!/usr/bin/env bash
# Writes deploy/k8s (a kustomize base and the overlays local and external) from the AppHost's model:
# the AppHost's publish manifest (`--publisher manifest`, with Postgres and Redis as the containers
# a cluster runs), turned into Kubernetes objects by eng/Matcha.K8s. The output is committed, and
# K8s/ManifestsTests fail when it differs from what this script writes now (docs/scaling.md).
#   ./eng/publish-k8s.sh            regenerate deploy/k8s
#   ./eng/publish-k8s.sh --render   then print `kubectl kustomize` of overlays/local (secrets.env from the example if missing)
set -euo pipefail
cd "$(dirname "$0")/.."

render=false
[[ "${1:-}" == "--render" ]] && render=true

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

dotnet build Matcha.AppHost -v q -nologo >/dev/null
dotnet build eng/Matcha.K8s -v q -nologo >/dev/null
# Publish mode runs no resource; containers, so the manifest names images rather than this machine's binaries.
dotnet run --no-build --project Matcha.AppHost --launch-profile http -- \
  --publisher manifest --output-path "$work/aspire-manifest.json" \
  --Matcha:Infrastructure:Mode=Containers >/dev/null
dotnet run --no-build --project eng/Matcha.K8s -- "$work/aspire-manifest.json" deploy/k8s

if $render; then
  [[ -e deploy/k8s/base/secrets.env ]] || cp deploy/k8s/base/secrets.env.example deploy/k8s/base/secrets.env
  kubectl kustomize deploy/k8s/overlays/local
fi
