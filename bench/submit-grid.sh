#!/usr/bin/env bash
# Benchmark of the scheduler's fan-out: submits one grid experiment of 10,000 runs (20 cities x 500 grid points)
# and prints
#   - the API response time of POST /experiments (the whole transaction: experiment, runs, outbox rows), and
#   - the time from the submission until the broker has confirmed all 10,000 commands (every run QUEUED: the outbox
#     relay marks a run QUEUED only on its command's publisher confirm), polled on GET /experiments/{id}.
# It is a script, not a timed test. Targets (issue 3): <= 1 s and <= 5 s on a 2-core machine.
#
# Needs: a running scheduler (bin/trainyard up, or the jar), curl and jq; RabbitMQ's rabbitmqctl for --purge.
#
# The commands must go to a pool that no trainer consumes, or trainers would start on 10,000 runs. The scheduler
# only accepts configured pools, so start it with an extra one, e.g.
#   TRAINYARD_SCHEDULER_POOLS=cpu,bench java -jar scheduler-service/target/quarkus-app/quarkus-run.jar
# (bin/trainyard passes the environment on to the services). The scheduler declares the queue trainer.bench at
# startup; the commands stay there until you purge it: pass --purge, or run `rabbitmqctl purge_queue trainer.bench`.
#
# Usage: bench/submit-grid.sh [--purge]
# The scheduler wants a bearer token: TRAINYARD_TOKEN, else an admin token from bin/trainyard token.
# Environment: SCHEDULER_URL (default http://127.0.0.1:8080), BENCH_POOL (default bench), BENCH_DATASET (default
# bench-cities, created with POST /datasets/demo if missing), BENCH_TIMEOUT (seconds to wait for the confirms,
# default 120).
set -euo pipefail

URL=${SCHEDULER_URL:-http://127.0.0.1:8080}
POOL=${BENCH_POOL:-bench}
DATASET=${BENCH_DATASET:-bench-cities}
TIMEOUT=${BENCH_TIMEOUT:-120}
CITIES=20
PURGE=0
[ "${1:-}" = "--purge" ] && PURGE=1

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}
command -v curl >/dev/null || die "curl is needed"
command -v jq >/dev/null || die "jq is needed"
now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }

curl -fsS -o /dev/null "$URL/q/health/ready" || die "no ready scheduler at $URL (bin/trainyard up?)"

# Every call but health carries the token, from a header file so that it does not show in the process list.
TOKEN=${TRAINYARD_TOKEN:-$("$(dirname "$0")/../bin/trainyard" token bench admin)} || die "no token: set TRAINYARD_TOKEN"
AUTH_FILE=$(mktemp)
trap 'rm -f "$AUTH_FILE"' EXIT
(umask 077 && printf 'Authorization: Bearer %s\n' "$TOKEN" >"$AUTH_FILE")
AUTH=(-H "@$AUTH_FILE")

# The data: 20 cities, so 20 partitions.
if ! curl -fsS -o /dev/null "${AUTH[@]}" "$URL/datasets/$DATASET" 2>/dev/null; then
    echo "==> creating dataset $DATASET ($CITIES cities)"
    curl -fsS -o /dev/null "${AUTH[@]}" -H 'Content-Type: application/json' \
        -d "{\"id\": \"$DATASET\", \"cities\": $CITIES, \"days\": 365}" "$URL/datasets/demo" ||
        die "cannot create dataset $DATASET"
fi
partitions=$(curl -fsS "${AUTH[@]}" "$URL/datasets/$DATASET" | jq '.partitions | length')
[ "$partitions" = "$CITIES" ] || die "dataset $DATASET has $partitions partitions, not $CITIES; set BENCH_DATASET"

# 5 x 5 x 4 x 5 = 500 grid points, times 20 cities = 10,000 runs.
spec=$(jq -n --arg dataset "$DATASET" --arg pool "$POOL" '{
    name: "bench grid 10000",
    dataset: $dataset,
    partitionBy: "city",
    model: {kind: "mlp-forecaster", hyperparameters: {lags: 14, hidden: [64, 64]}},
    training: {epochs: 30, batchSize: 32, learningRate: 0.001, seed: 42, checkpointEvery: 5},
    resources: {pool: $pool},
    objective: {metric: "mae", direction: "minimize"},
    search: {type: "grid", parameters: {
        lags: [7, 14, 21, 28, 35],
        hidden: [[32], [64], [32, 32], [64, 64], [128, 64]],
        learningRate: [0.01, 0.003, 0.001, 0.0003],
        batchSize: [16, 32, 64, 128, 256]}}}')

echo "==> submitting 10,000 runs to pool $POOL at $URL"
body=$(mktemp)
trap 'rm -f "$body" "$AUTH_FILE"' EXIT
start=$(now)
read -r status api_seconds < <(curl -sS "${AUTH[@]}" -o "$body" -w '%{http_code} %{time_total}\n' \
    -H 'Content-Type: application/json' --data-binary "$spec" "$URL/experiments")
answered=$(now)
if [ "$status" != 201 ]; then
    cat "$body" >&2
    echo >&2
    if jq -e '.violations[]? | select(.field == "resources.pool")' "$body" >/dev/null 2>&1; then
        die "pool '$POOL' is not configured: start the scheduler with TRAINYARD_SCHEDULER_POOLS=cpu,$POOL"
    fi
    die "submission answered $status"
fi
id=$(jq -r .id "$body")
runs=$(jq -r .runs "$body")
[ "$runs" = 10000 ] || die "the experiment has $runs runs, not 10000"

# Confirmed on the broker: no run is PENDING any more (nobody trains the pool, so they all sit in QUEUED).
deadline=$((start + TIMEOUT * 1000000000))
while :; do
    view=$(curl -fsS "${AUTH[@]}" "$URL/experiments/$id")
    pending=$(jq .counts.pending <<<"$view")
    [ "$pending" = 0 ] && break
    [ "$(now)" -lt "$deadline" ] || die "after ${TIMEOUT}s $pending commands are still unconfirmed"
    sleep 0.05
done
confirmed=$(now)

echo "experiment:                  $id ($runs runs)"
echo "API response time:           $(ms "$start" "$answered") ms (curl time_total ${api_seconds}s)"
echo "all commands confirmed after $(ms "$start" "$confirmed") ms from the submission"
echo "counts:                      $(jq -c .counts <<<"$view")"

if [ $PURGE = 1 ]; then
    echo "==> purging trainer.$POOL"
    rabbitmqctl purge_queue "trainer.$POOL"
else
    echo "the commands wait in trainer.$POOL: rabbitmqctl purge_queue trainer.$POOL"
fi
