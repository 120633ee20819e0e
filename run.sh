#!/usr/bin/env bash
# The main job end to end, offline, in one command: start Azurite on 127.0.0.1, upload a MovieLens release (the shared
# ml-latest-small when present, else a generated MovieLens-shaped one), run the Retrain function (which starts the
# training CLI as a child process: train gcn-lstm, evaluate on the temporal protocol, quality gate, atomic publish),
# serve the HTTP API with the local host and show a real answer of every endpoint, then post two events for a user and
# show that user's recommendations before and after (the live path).
# Usage: ./run.sh [MovieLens folder | release .zip | ratings file] [--keep-serving]
set -euo pipefail
cd "$(dirname "$0")"

data=../shared/data/movielens/ml-latest-small
keep_serving=false
for arg in "$@"; do
  case $arg in
    --keep-serving) keep_serving=true ;;
    -h | --help) sed -n 2,6p "$0" | cut -c3-; exit 0 ;;
    -*) echo "Unknown option $arg" >&2; exit 2 ;;
    *) data=$arg ;;
  esac
done

[[ -x node_modules/.bin/azurite-blob && -x node_modules/.bin/azurite-table ]] || npm ci --no-audit --no-fund --loglevel=error
echo "Building (Release) ..."
# The local host serves the Function App; its Retrain starts the training CLI (src/Training) as a child process.
dotnet build src/Training -c Release --nologo -v quiet
dotnet build src/LocalHost -c Release --nologo -v quiet
cli=(dotnet src/Training/bin/Release/net10.0/Recommender.Training.dll)

if [[ ! -e $data ]]; then
  echo "No MovieLens release at $data: using a generated MovieLens-shaped release in data/synthetic"
  data=data/synthetic
  [[ -f $data/ratings.csv ]] || "${cli[@]}" generate --out "$data" --users 610 --movies 9742 --ratings 100836 --seed 42
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

blob_port=$(free_port)
node_modules/.bin/azurite-blob --blobHost 127.0.0.1 --blobPort "$blob_port" --location "$work/azurite" \
  --skipApiVersionCheck --disableTelemetry >"$work/azurite.log" 2>&1 &
pids+=($!)
# The user events live in Azurite's table service: the same package, its own process and port, loopback only.
table_port=$(free_port)
node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort "$table_port" --location "$work/azurite" \
  --skipApiVersionCheck --disableTelemetry >"$work/azurite-table.log" 2>&1 &
pids+=($!)
# Azurite's documented development account (the same for every Azurite), not a secret.
account=devstoreaccount1
account_key=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==
export STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$account_key;BlobEndpoint=http://127.0.0.1:$blob_port/$account;TableEndpoint=http://127.0.0.1:$table_port/$account;"
export AzureWebJobsStorage=$STORAGE_CONNECTION_STRING
export MODEL_CACHE_FOLDER=$work/model-cache RETRAIN_WORK_FOLDER=$work/retrain
for port in "$blob_port" "$table_port"; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
done
echo "Azurite on 127.0.0.1: blobs on $blob_port, tables on $table_port (data in $work/azurite)"

"${cli[@]}" upload-data --data "$data"

api_port=$(free_port)
function_key=$(node -e "console.log(require('crypto').randomBytes(24).toString('base64url'))")
api=http://127.0.0.1:$api_port/api
echo "Starting the local host on 127.0.0.1:$api_port and running the Retrain timer function once ..."
# The sample settings give every other setting its local default (the retrain schedule among them).
dotnet src/LocalHost/bin/Release/net10.0/Recommender.LocalHost.dll --port "$api_port" --run-timers-at-start \
  --settings src/Functions/local.settings.sample.json --function-key "$function_key" --telemetry-console >"$work/host.log" 2>&1 &
host_pid=$!
pids+=("$host_pid")
tail -n +1 -f "$work/host.log" &
pids+=($!)

# Ask for the model until it is served: the host loads what its Retrain publishes at once. Waiting ends with a clear
# message when the host stops, when Retrain ended without a model being served shortly after, or at the time limit.
model_timeout=${RUN_MODEL_TIMEOUT_SECONDS:-1800}
after_retrain_seconds=30
deadline=$((SECONDS + model_timeout))
retrain_ended_at=
echo "Waiting for the published model (GET /api/model, at most $model_timeout s; RUN_MODEL_TIMEOUT_SECONDS changes it) ..."
while :; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "x-functions-key: $function_key" "$api/model" || true)
  [[ $status == 200 ]] && break
  if ! kill -0 "$host_pid" 2>/dev/null; then
    echo "The local host stopped before serving a model; its log is above." >&2
    exit 1
  fi
  if grep -q "not served: timer Retrain" "$work/host.log"; then
    echo "The local host cannot run the Retrain timer; see the log above." >&2
    exit 1
  fi
  if [[ -z $retrain_ended_at ]] && grep -q "Timer function Retrain \(finished\|failed\)" "$work/host.log"; then
    retrain_ended_at=$SECONDS
  fi
  if [[ -n $retrain_ended_at ]] && ((SECONDS - retrain_ended_at > after_retrain_seconds)); then
    echo "Retrain ended, but no model was served within $after_retrain_seconds s (GET /api/model answers HTTP $status); the run record's reason is in the log above." >&2
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "No model was served within $model_timeout s (GET /api/model answers HTTP $status); the log above shows how far Retrain got." >&2
    exit 1
  fi
  sleep 1
done
echo "Model served after $SECONDS s."
kill "${pids[-1]}" 2>/dev/null || true

# Prints one request and its answer (recommendation lists as a table, other JSON indented); an answer with another
# status than the expected one is counted, and run.sh then exits 1.
unexpected=0
show() {
  local expected=$1 method=$2 path=$3 body=${4:-}
  echo
  echo "== $method /api/$path ${body:+$body}"
  local args=(-s -w '\n%{http_code}' -X "$method" -H "x-functions-key: $function_key")
  [[ -n $body ]] && args+=(-H "Content-Type: application/json" -d "$body")
  curl "${args[@]}" "$api/$path" | EXPECTED=$expected node -e '
    const lines = require("fs").readFileSync(0, "utf8").trimEnd().split("\n");
    const status = lines.pop(), text = lines.join("\n");
    console.log(`HTTP ${status}`);
    if (status !== process.env.EXPECTED) { console.log(`UNEXPECTED: expected HTTP ${process.env.EXPECTED}`); console.log(text); process.exit(1); }
    let answer; try { answer = JSON.parse(text); } catch { console.log(text); process.exit(0); }
    if (Array.isArray(answer.items)) {
      console.log(`path ${answer.path}, model ${answer.modelVersion}`);
      console.table(answer.items.map(i => ({ rank: i.rank, movieId: i.movieId, title: i.title, year: i.year,
        genres: (i.genres || []).join("|"), score: Number(i.score.toFixed(4)) })));
    } else if (answer.paths) {
      console.log(`OpenAPI ${answer.openapi}: ${Object.keys(answer.paths).join(", ")}`);
    } else {
      console.log(JSON.stringify(answer, null, 2));
    }' || unexpected=$((unexpected + 1))
}
first_movies() {
  curl -s -H "x-functions-key: $function_key" "$api/users/$1/recommendations?count=3" |
    node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).items.map(i => i.movieId).join(","))'
}

show 200 GET health
show 200 GET model
show 200 GET "users/1/recommendations?count=5"
show 200 GET "users/1/recommendations?count=5&genres=Comedy"
show 200 GET "users/999999999/recommendations?count=5"
history=$(first_movies 2)
show 200 POST recommendations "{\"history\":[$history],\"count\":5}"
show 200 GET "movies/${history%%,*}/similar?count=5"
show 400 GET "users/1/recommendations?count=0"
show 200 GET openapi.json

echo
echo "== Live user events: user 1 watches the first two films of their list; the next answer reads them (path live)"
show 200 GET "users/1/recommendations?count=5"
watched=$(first_movies 1)
IFS=, read -r first second _ <<<"$watched"
show 202 POST users/1/events "{\"events\":[{\"movieId\":$first,\"rating\":4.5,\"eventId\":\"run-sh-1\"},{\"movieId\":$second,\"eventId\":\"run-sh-2\"}]}"
show 200 GET "users/1/events?count=5"
show 200 GET "users/1/recommendations?count=5"
after=$(curl -s -H "x-functions-key: $function_key" "$api/users/1/recommendations?count=5" | node -e '
  const a = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(a.path + " " + a.items.map(i => i.movieId).join(","))')
if [[ $after != live* || ,${after#live },  == *,$first,* || ,${after#live }, == *,$second,* ]]; then
  echo "UNEXPECTED: after the events the answer should be live and without movies $first and $second: $after" >&2
  unexpected=$((unexpected + 1))
else
  echo "After the events: path ${after%% *}; movies $first and $second are gone from the list."
fi
show 200 DELETE users/1/events

echo
echo "== The serving spans the host recorded (as Application Insights receives them in Azure):"
grep -A11 "Activity.DisplayName" "$work/host.log" | grep -E "DisplayName|recommender\." | sed 's/^ */  /' || true

if ((unexpected > 0)); then
  echo "$unexpected answer(s) above had an unexpected status." >&2
  exit 1
fi

if $keep_serving; then
  echo
  echo "Serving $api (function key: $function_key). Press Ctrl+C to stop."
  wait "$host_pid"
fi
