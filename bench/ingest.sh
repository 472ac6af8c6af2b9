#!/usr/bin/env bash
# Ingest benchmark of the results service: publishes N run.progress events (default 50,000) to trainyard.events
# and measures events/s until all of them are stored in run_event (polled with psql).
#
#   bench/ingest.sh [N]            starts the packaged results service on a free port against its own database
#                                  (trainyard_results_bench), measures, stops it
#   RESULTS_RUNNING=1 bench/ingest.sh [N]   measures against a results service already running on the
#                                  database named by RESULTS_DB (default trainyard_results)
#   PRELOAD=1: publish everything while the service is stopped, then time only the draining of the queue
#   EPOCHS=50 (events per run), BUILD=1 (package the jar first), PORT=18082,
#   SERVICE_OPTS="-Dtrainyard.results.ingest.batch-size=1000 ..." (system properties for the service)
#
# Needs: RabbitMQ on 127.0.0.1:5672 (guest), PostgreSQL on 127.0.0.1:5432 (user postgres, trust), JDK 21+.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50000}
EPOCHS=${EPOCHS:-50}
PORT=${PORT:-18082}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
M2=${M2:-$HOME/.m2/repository}
CP="$M2/com/rabbitmq/amqp-client/5.25.0/amqp-client-5.25.0.jar:$M2/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar"
PSQL=(psql -h 127.0.0.1 -U postgres -Atq)

if [[ -n "${RESULTS_RUNNING:-}" ]]; then
  DB=${RESULTS_DB:-trainyard_results}
else
  DB=trainyard_results_bench
  "${PSQL[@]}" -d postgres -c "select 1 from pg_database where datname = '$DB'" | grep -q 1 \
    || "${PSQL[@]}" -d postgres -c "create database $DB"
  if [[ -n "${BUILD:-}" || ! -f results-service/target/quarkus-app/quarkus-run.jar ]]; then
    JAVA_HOME=$JAVA_HOME mvn -B -o -q -pl results-service package -DskipTests
  fi
  LOG=$(mktemp /tmp/results-bench.XXXXXX.log)
  # its own queue, bound like results.run-events: a results service or test run elsewhere on this broker must
  # not take a share of the events, and the bench must not eat theirs; deleted again on exit
  QUEUE=results.run-events.bench
  SERVICE=
  # (set -e applies inside the trap too: every step must not fail, or the queue would be left behind)
  trap 'if [[ -n "$SERVICE" ]]; then kill $SERVICE 2>/dev/null || true; wait $SERVICE 2>/dev/null || true; fi; rabbitmqctl -q delete_queue $QUEUE >/dev/null 2>&1 || true' EXIT
  # the packaged jar runs in the prod profile, which has no credentials: the local servers' ones, and the local
  # stack's token key (made by bin/trainyard when missing; the bench itself only reads /q/metrics)
  bin/trainyard token bench admin >/dev/null
  CREDENTIALS=(-Drabbitmq-username=guest -Drabbitmq-password=guest -Dquarkus.datasource.username=postgres
    -Dquarkus.datasource.password=local-trust -Dtrainyard.s3.access-key=trainyard
    -Dtrainyard.s3.secret-key=trainyard-secret -Dmp.jwt.verify.publickey.location=.trainyard/jwt/public.pem)
  start_service() {
    "$JAVA" ${SERVICE_OPTS:-} "${CREDENTIALS[@]}" -Dquarkus.http.port="$PORT" \
      -Dmp.messaging.incoming.run-events.queue.name=$QUEUE \
      -Dquarkus.datasource.reactive.url="postgresql://127.0.0.1:5432/$DB" \
      -Dquarkus.datasource.jdbc.url="jdbc:postgresql://127.0.0.1:5432/$DB" \
      -jar results-service/target/quarkus-app/quarkus-run.jar >>"$LOG" 2>&1 &
    SERVICE=$!
    for _ in $(seq 1 120); do
      curl -fs "http://127.0.0.1:$PORT/q/health/ready" >/dev/null && return 0
      kill -0 $SERVICE 2>/dev/null || { echo "results service died, see $LOG" >&2; exit 1; }
      sleep 0.5
    done
  }
  start_service
  echo "results service up on port $PORT (pid $SERVICE, log $LOG, database $DB)" >&2
fi

if [[ -n "${PRELOAD:-}" && -z "${RESULTS_RUNNING:-}" ]]; then
  # drain rate alone: the queue is filled while the service is stopped; the clock starts when the service is
  # launched again, so its start-up time (a few seconds) is counted against it
  kill $SERVICE; wait $SERVICE 2>/dev/null || true
  SERVICE=
  EXPERIMENT=$("$JAVA" -cp "$CP" bench/IngestBench.java "$N" "$EPOCHS")
  start=$(date +%s.%N)
  start_service
  published=$start
  echo "service ready after $(awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }') s" >&2
else
  start=$(date +%s.%N)
  EXPERIMENT=$("$JAVA" -cp "$CP" bench/IngestBench.java "$N" "$EPOCHS")
  published=$(date +%s.%N)
fi
stored=0
while :; do
  stored=$("${PSQL[@]}" -d "$DB" -c "select count(*) from run_event where experiment_id = '$EXPERIMENT'")
  [[ "$stored" -ge "$N" ]] && break
  sleep 0.1
done
done_at=$(date +%s.%N)
if [[ -z "${RESULTS_RUNNING:-}" ]]; then
  # how the service batched: events per transaction and time per transaction, from its own meters
  curl -fs "http://127.0.0.1:$PORT/q/metrics" | grep -E '^trainyard_ingest_batch_(size_events|duration_seconds)_(count|sum|max)' >&2 || true
fi
progress=$("${PSQL[@]}" -d "$DB" -c "select count(*) from run_progress where experiment_id = '$EXPERIMENT'")
awk -v n="$N" -v s="$start" -v p="$published" -v d="$done_at" -v pr="$progress" -v e="$EXPERIMENT" 'BEGIN {
  printf "experiment %s: %d events stored (%d progress rows)\n", e, n, pr
  printf "publish: %.2f s   publish->all stored: %.2f s   end to end: %.2f s = %.0f events/s\n", p - s, d - p, d - s, n / (d - s)
}'
