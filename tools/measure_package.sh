#!/usr/bin/env bash
# Size of the Function App's package (dotnet publish src/Functions -c Release, zipped as a deployment does) for each
# repository tree given (default: this one), and whether it carries any part of the training stack.
# Usage: tools/measure_package.sh [TREE ...]     e.g. a `git worktree add /tmp/before <rev>` next to this tree
set -euo pipefail
trees=("$@")
((${#trees[@]})) || trees=(.)
for tree in "${trees[@]}"; do
  out=$(mktemp -d)
  (cd "$tree" && dotnet publish src/Functions -c Release -o "$out/app" --nologo -v quiet >/dev/null)
  (cd "$out/app" && zip -qr "$out/app.zip" .)
  echo "$tree ($(git -C "$tree" rev-parse --short HEAD)): $(du -sb "$out/app" | cut -f1) bytes in $(find "$out/app" -type f | wc -l) files," \
    "$(stat -c %s "$out/app.zip") bytes zipped; training stack files (libtorch*, TorchSharp*, *Skia*, Recommender.Training*):" \
    "$(find "$out/app" \( -name 'libtorch*' -o -name 'TorchSharp*' -o -name '*Skia*' -o -name 'Recommender.Training*' \) | wc -l);" \
    "runtimes/: $(ls "$out/app/runtimes" 2>/dev/null | tr '\n' ' ')"
  rm -rf "$out"
done
