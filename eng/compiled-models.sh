#!/usr/bin/env bash
# Regenerates each service's compiled EF Core model (Data/CompiledModel/), which the service loads
# at start instead of building its model from OnModelCreating: about 0.5 s less CPU per service at
# every start (docs/running.md, "What the start costs"). Run it after any change to a DbContext's
# model, next to `dotnet ef migrations add`; CompiledModelTests fails, naming this script, until you
# do. Installs dotnet-ef into .tools/dotnet-ef once; needs only the .NET SDK.
set -euo pipefail
cd "$(dirname "$0")/.."

version=10.0.15   # the EF Core version of Directory.Packages.props
dir=.tools/dotnet-ef
log() { printf '\033[1;34m[matcha]\033[0m %s\n' "$*" >&2; }

if ! { [[ -x $dir/dotnet-ef ]] && dotnet tool list --tool-path "$dir" 2>/dev/null | grep -qi "dotnet-ef *$version"; }; then
  log "Installing dotnet-ef $version into $dir..."
  rm -rf "$dir"
  dotnet tool install dotnet-ef --version "$version" --tool-path "$dir" >&2
fi

services=("$@")
[[ ${#services[@]} -gt 0 ]] || services=(Accounts Catalog Ratings Social)
for service in "${services[@]}"; do
  log "Matcha.$service: compiling its model into Matcha.$service/Data/CompiledModel..."
  # Files of entity types that are gone would stay behind: the folder is written afresh.
  rm -rf "Matcha.$service/Data/CompiledModel"
  "$dir/dotnet-ef" dbcontext optimize --project "Matcha.$service" --startup-project "Matcha.$service" \
    --output-dir Data/CompiledModel --namespace "Matcha.$service.Data.CompiledModel" >/dev/null
done
log "Done: commit the Data/CompiledModel folders with the model change."
