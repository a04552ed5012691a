#!/usr/bin/env bash
# Installs smtp4dev (the local mail sink the AppHost runs: Accounts' verification mail lands
# there, and its web UI and REST API show it) as a .NET tool into .tools/smtp4dev, once.
# Needs only the .NET SDK. Prints the path of the smtp4dev executable.
#
# Its package ships IL only, so every start JIT-compiles EF Core, SQLite, MimeKit and the rest,
# and the sink was the last resource healthy in most starts (docs/running.md). Once installed, its
# assemblies are compiled ahead of time with crossgen2 (the compiler `dotnet publish
# -p:PublishReadyToRun=true` runs, from the SDK's own pack): about a third less CPU to its first
# answer. If crossgen2 cannot be had, the sink runs as shipped (JIT) and this says so.
#   --no-readytorun   install only (the fast tests need the executable, not a fast start of it);
#                     a later run without it compiles what is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

version=3.15.0
dir=.tools/smtp4dev
stamp=$dir/.readytorun
log() { printf '\033[1;34m[matcha]\033[0m %s\n' "$*" >&2; }

installed() {
  [[ -x $dir/smtp4dev ]] && dotnet tool list --tool-path "$dir" 2>/dev/null | grep -qi "rnwood.smtp4dev *$version"
}

# The newest installed runtime of a shared framework (the sink rolls forward to it): "version path".
newest_framework() {
  dotnet --list-runtimes | awk -v name="$1" '$1 == name && $2 ~ /^10\./ { gsub(/[\[\]]/, "", $3); print $2, $3 "/" $2 }' |
    sort -V | tail -1
}

# Compiles the sink's assemblies to ReadyToRun code in place. Any assembly crossgen2 refuses keeps
# its IL (the runtime JIT-compiles it as before), so a failure here never breaks the sink.
precompile() {
  local rid=linux-x64
  [[ $(uname -s) == Linux && $(uname -m) == x86_64 ]] || { log "smtp4dev: ReadyToRun skipped (only linux-x64 is set up)."; return 0; }

  local netcore aspnetcore
  netcore=$(newest_framework Microsoft.NETCore.App)
  aspnetcore=$(newest_framework Microsoft.AspNetCore.App)
  [[ -n $netcore && -n $aspnetcore ]] || { log "smtp4dev: ReadyToRun skipped (no .NET 10 runtime found)."; return 0; }

  # The SDK resolves (and restores) the crossgen2 pack that matches it for any project that
  # publishes ReadyToRun; an empty project here asks it where that pack is.
  local probe=.tools/crossgen2-probe
  mkdir -p "$probe"
  cat > "$probe/Probe.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <RuntimeIdentifier>$rid</RuntimeIdentifier>
    <PublishReadyToRun>true</PublishReadyToRun>
  </PropertyGroup>
</Project>
EOF
  # Keep the repository's build settings (analyzers, central package versions) out of the probe.
  echo '<Project />' > "$probe/Directory.Build.props"
  echo '<Project />' > "$probe/Directory.Build.targets"
  echo '<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>' > "$probe/Directory.Packages.props"
  local pack
  pack=$(dotnet msbuild "$probe/Probe.csproj" -restore -nologo -t:ResolveTargetingPackAssets -getItem:ResolvedCrossgen2Pack 2>/dev/null |
    sed -n 's/.*"PackageDirectory": "\(.*\)".*/\1/p' | head -1) || true
  local crossgen2=$pack/tools/crossgen2
  [[ -n $pack && -x $crossgen2 ]] || { log "smtp4dev: ReadyToRun skipped (the SDK's crossgen2 pack could not be restored); the sink JIT-compiles as shipped."; return 0; }

  local app
  app=$(dirname "$(readlink -f "$dir/smtp4dev")")
  local out=$dir/.readytorun-out
  rm -rf "$out" && mkdir -p "$out"
  log "Compiling smtp4dev's assemblies ahead of time (crossgen2 ${pack##*/}, once; about a minute)..."
  export crossgen2 app out netcore_dir=${netcore#* } aspnetcore_dir=${aspnetcore#* }
  # shellcheck disable=SC2016
  find "$app" -maxdepth 1 -name '*.dll' -printf '%f\n' | xargs -P "$(nproc)" -I{} sh -c '
    "$crossgen2" "$app/{}" -o "$out/{}" --targetos linux --targetarch x64 -O \
      -r "$netcore_dir/*.dll" -r "$aspnetcore_dir/*.dll" -r "$app/*.dll" > "$out/{}.log" 2>&1 || rm -f "$out/{}"'
  local compiled=0 kept=0 f
  for f in "$app"/*.dll; do
    if [[ -s $out/${f##*/} ]]; then mv -f "$out/${f##*/}" "$f"; compiled=$((compiled + 1)); else kept=$((kept + 1)); fi
  done
  rm -rf "$out" "$probe"
  echo "${netcore%% *}" > "$stamp"
  log "smtp4dev: $compiled assemblies compiled ahead of time, $kept kept as IL."
}

if ! installed; then
  log "Installing smtp4dev $version into $dir..."
  rm -rf "$dir"
  dotnet tool install Rnwood.Smtp4dev --version "$version" --tool-path "$dir" >&2
fi
[[ ${1:-} == --no-readytorun || -f $stamp ]] || precompile
echo "$PWD/$dir/smtp4dev"
