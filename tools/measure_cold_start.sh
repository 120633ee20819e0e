#!/usr/bin/env bash
# Cold start of local hosts: process start to the first answered recommendation, with a bundle published to a fresh
# Azurite on 127.0.0.1. Each host dll gets RUNS runs (default 3), in ROUNDS rounds (default 2) taken in turn.
# Usage: tools/measure_cold_start.sh BUNDLE_FOLDER LOCALHOST_DLL [LOCALHOST_DLL ...]
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=$1; shift
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
work=$(mktemp -d)
node_modules/.bin/azurite-blob --blobHost 127.0.0.1 --blobPort "$port" --location "$work" --skipApiVersionCheck --disableTelemetry >/dev/null 2>&1 &
azurite=$!
trap 'kill $azurite; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
# Azurite's documented development account key (the same for every Azurite), not a secret.
cs="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$port/devstoreaccount1;"
B=benchmarks/Recommender.Benchmarks/bin/Release/net10.0/Recommender.Benchmarks.dll
dotnet $B publish-bundle --connection-string "$cs" --container cold --bundle "$bundle"
for round in $(seq "${ROUNDS:-2}"); do
  for dll in "$@"; do
    echo "== $dll (round $round)"
    dotnet $B cold-start --localhost "$(realpath "$dll")" --connection-string "$cs" --models-container cold --user-id 1 --runs "${RUNS:-3}"
  done
done
