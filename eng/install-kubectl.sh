#!/usr/bin/env bash
# Installs kubectl, once, when missing: K8s/ManifestsTests render deploy/k8s with `kubectl kustomize`.
# Debian's package is kubernetes-client (kubectl 1.20, kustomize 2, which deploy/k8s is written for);
# a newer kubectl (Kubernetes' own apt repository, package kubectl) renders it too. No cluster is needed.
set -euo pipefail

log() { printf '\033[1;34m[matcha]\033[0m %s\n' "$*" >&2; }

if command -v kubectl >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  log "kubectl is missing: install it with your package manager (any version since 1.20), then try again."
  exit 1
fi
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
log "Installing kubectl (Debian's kubernetes-client) with apt-get..."
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null
