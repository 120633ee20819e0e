#!/usr/bin/env bash
# The main job end to end, offline: load MovieLens (or generate a MovieLens-shaped release), split, train the
# GCN+LSTM model and the popularity baseline, evaluate, and write metrics, CSVs, a report and the model to out/.
# Usage: ./run.sh [data folder|zip|ratings file] [extra 'train' options, e.g. --models all --protocol leave-one-out]
set -euo pipefail
cd "$(dirname "$0")"

data=${1:-../shared/data/movielens/ml-latest-small}
shift || true

dotnet build src/Training -c Release --nologo -v quiet
cli=(dotnet src/Training/bin/Release/net10.0/Recommender.Training.dll)

if [[ ! -e $data ]]; then
  echo "No MovieLens data at $data: generating a MovieLens-shaped release in data/synthetic"
  data=data/synthetic
  "${cli[@]}" generate --out "$data" --users 610 --movies 9742 --ratings 100836 --seed 42
fi

name=$(basename "${data%.zip}")
"${cli[@]}" stats --data "$data"
"${cli[@]}" train --data "$data" --models gcn-lstm,popularity --out "out/$name" "$@"
echo "Report: out/$name/report.md"
