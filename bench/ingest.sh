#!/usr/bin/env bash
# Ingest benchmark of the results service: N run.progress events (default 50,000) into its queue, timed from the
# first publish until the last of them is stored in run_event, with the machine's load and where the CPU went.
#
#   bench/ingest.sh [N]     starts the packaged results service on a free port with a queue
#                           (results.run-events.bench) and a database (trainyard_results_bench, emptied first) of its
#                           own, warms it up with WARMUP events (untimed), then publishes N events while it stores
#                           them: publisher, broker, service and database share the machine, as on a one-node stack
#   PRELOAD=1 bench/ingest.sh [N]   the service's drain rate alone: the N events are published while the warmed-up
#                           service is frozen (SIGSTOP) and the clock starts when it resumes (SIGCONT). Keep the
#                           publishing under a minute (N up to ~300,000 here): a frozen connection misses heartbeats.
#   COLD=1                  no warm-up; with PRELOAD=1 the service is stopped while the queue fills and started again,
#                           its start-up counted (the bench's only mode before 2026-11-24)
#   RESULTS_RUNNING=1 bench/ingest.sh [N]   against a results service already running, on the database RESULTS_DB
#                           (default trainyard_results) and its queue RESULTS_QUEUE (default results.run-events)
#   WARMUP=100000 (enough for the JIT to settle), EPOCHS=50 (events per run), PORT=18082, BUILD=1 (package the jar
#   first), MVN_LOCK (a file: the Maven step runs under flock on it), APP=dir (a packaged quarkus-app to measure
#   instead of results-service/target/quarkus-app, e.g. an older build),
#   SERVICE_OPTS="-Dtrainyard.results.ingest.batch-size=1000" (system properties for the service)
#
# The events go straight to the queue (default exchange), not through trainyard.events, which would also fill the
# shared results.run-events and scheduler.run-events queues. The end is seen by one psql session that checks, every
# 10 ms inside the database, for the last event (a unique-key lookup), then counts all N once: polling with a
# fresh psql and a count(*) every 0.1 s cost about a core here and skewed what was measured.
#
# Needs: RabbitMQ on 127.0.0.1:5672 (guest), PostgreSQL on 127.0.0.1:5432 (user postgres, trust), JDK 21+.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50000}
EPOCHS=${EPOCHS:-50}
WARMUP=${WARMUP:-100000}
PORT=${PORT:-18082}
APP=${APP:-results-service/target/quarkus-app}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
M2=${M2:-$HOME/.m2/repository}
CP="$M2/com/rabbitmq/amqp-client/5.25.0/amqp-client-5.25.0.jar:$M2/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar"
PSQL=(psql -h 127.0.0.1 -U postgres -Atq)
mvn() { if [ -n "${MVN_LOCK:-}" ]; then flock "$MVN_LOCK" mvn "$@"; else command mvn "$@"; fi; }

WORK=$(mktemp -d /tmp/ingest-bench.XXXXXX)
SERVICE=
QUEUE=
cleanup() {
  # (set -e applies inside the trap too: every step must not fail, or the queue would be left behind)
  if [[ -n "$SERVICE" ]]; then
    kill -CONT "$SERVICE" 2>/dev/null || true
    kill "$SERVICE" 2>/dev/null || true
    wait "$SERVICE" 2>/dev/null || true
  fi
  if [[ -z "${RESULTS_RUNNING:-}" && -n "$QUEUE" ]]; then rabbitmqctl -q delete_queue "$QUEUE" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
"$JAVA_HOME/bin/javac" -nowarn -cp "$CP" -d "$WORK" bench/IngestBench.java

if [[ -n "${RESULTS_RUNNING:-}" ]]; then
  DB=${RESULTS_DB:-trainyard_results}
  QUEUE=${RESULTS_QUEUE:-results.run-events}
else
  DB=trainyard_results_bench
  # empty at every run, so runs compare (and the database does not grow by every run's events: 8.5M rows, 7 GB
  # after a day of runs); the service's Flyway makes the tables. Left after the run to be looked at.
  "${PSQL[@]}" -d postgres -c "drop database if exists $DB" -c "create database $DB"
  if [[ -n "${BUILD:-}" || ! -f "$APP/quarkus-run.jar" ]]; then
    JAVA_HOME=$JAVA_HOME mvn -B -o -q -pl results-service package -DskipTests
  fi
  LOG=$(mktemp /tmp/results-bench.XXXXXX.log)
  # its own queue: a results service or test run elsewhere on this broker must not take a share of the events, and
  # the bench must not eat theirs; deleted again on exit
  QUEUE=results.run-events.bench
  # the packaged jar runs in the prod profile, which has no credentials: the local servers' ones, and the local
  # stack's token key (made by bin/trainyard when missing; the bench itself only reads /q/metrics)
  bin/trainyard token bench admin >/dev/null
  CREDENTIALS=(-Drabbitmq-username=guest -Drabbitmq-password=guest -Dquarkus.datasource.username=postgres
    -Dquarkus.datasource.password=local-trust -Dtrainyard.s3.access-key=trainyard
    -Dtrainyard.s3.secret-key=trainyard-secret -Dmp.jwt.verify.publickey.location=.trainyard/jwt/public.pem)
  start_service() {
    # the queue by the connector's key, which builds before and after the move off the connector both read
    "$JAVA" ${SERVICE_OPTS:-} "${CREDENTIALS[@]}" -Dquarkus.http.port="$PORT" \
      -Dmp.messaging.incoming.run-events.queue.name=$QUEUE \
      -Dquarkus.datasource.reactive.url="postgresql://127.0.0.1:5432/$DB" \
      -Dquarkus.datasource.jdbc.url="jdbc:postgresql://127.0.0.1:5432/$DB" \
      -jar "$APP/quarkus-run.jar" >>"$LOG" 2>&1 &
    SERVICE=$!
    for _ in $(seq 1 240); do
      curl -fs "http://127.0.0.1:$PORT/q/health/ready" >/dev/null && return 0
      kill -0 $SERVICE 2>/dev/null || { echo "results service died, see $LOG" >&2; exit 1; }
      sleep 0.5
    done
    echo "results service not ready after 120 s, see $LOG" >&2
    exit 1
  }
  start_service
  echo "results service up on port $PORT (pid $SERVICE, log $LOG, database $DB)" >&2
fi

publish() { # N -> sets EXPERIMENT, FIRST (instant of the first publish), LAST_RUN, LAST_EPOCH
  local out
  out=$("$JAVA" -cp "$CP:$WORK" IngestBench "$1" "$EPOCHS" "$QUEUE" 2> >(grep -v SLF4J >&2))
  { read -r EXPERIMENT; read -r FIRST; read -r LAST_RUN LAST_EPOCH; } <<<"$out"
}
stored() {
  "${PSQL[@]}" -d "$DB" -c "select count(*) from run_event where experiment_id = '$1'"
}
# Waits until the last event is stored (one session, checked inside the database), then until all N are: events of
# one queue are stored in order unless some were requeued, which the count catches.
await_stored() { # N
  "${PSQL[@]}" -d "$DB" -c "do \$\$ begin
      while not exists (select 1 from run_event where run_id = '$LAST_RUN' and attempt = 1 and epoch = $LAST_EPOCH
                        and kind = 'run.progress') loop
        perform pg_sleep(0.01);
      end loop;
    end \$\$" >/dev/null
  while [[ $(stored "$EXPERIMENT") -lt "$1" ]]; do sleep 0.1; done
}
# CPU seconds (ticks) of: the service, the database sessions on its database, the broker (all of its work, whoever's)
cpu_ticks() {
  local service=0 db=0 broker=0 p
  [[ -n "$SERVICE" ]] && service=$(awk '{print $14 + $15}' /proc/$SERVICE/stat 2>/dev/null || echo 0)
  for p in $("${PSQL[@]}" -d postgres -c "select pid from pg_stat_activity where datname = '$DB'
                                          and backend_type = 'client backend' and pid <> pg_backend_pid()"); do
    db=$((db + $(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0)))
  done
  for p in $(pgrep -u rabbitmq 2>/dev/null); do
    broker=$((broker + $(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0)))
  done
  echo "$service $db $broker"
}

if [[ -z "${COLD:-}" && "$WARMUP" -gt 0 ]]; then
  publish "$WARMUP"
  await_stored "$WARMUP"
  echo "warmed up with $WARMUP events" >&2
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
if [[ -n "${PRELOAD:-}" && -z "${RESULTS_RUNNING:-}" ]]; then
  if [[ -n "${COLD:-}" ]]; then
    kill $SERVICE; wait $SERVICE 2>/dev/null || true
    SERVICE=
    publish "$N"
    start=$(date +%s.%N)
    start_service
    echo "service ready after $(awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }') s" >&2
  else
    kill -STOP $SERVICE
    publish "$N"
    start=$(date +%s.%N)
    kill -CONT $SERVICE
  fi
  cpu_before=$(cpu_ticks)
  published=$start
else
  cpu_before=$(cpu_ticks)
  publish "$N"
  start=$FIRST
  published=$(date +%s.%N)
fi
await_stored "$N"
done_at=$(date +%s.%N)
cpu_after=$(cpu_ticks)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

if [[ -z "${RESULTS_RUNNING:-}" ]]; then
  # how the service batched: events per transaction and time per transaction, from its own meters (warm-up included)
  curl -fs "http://127.0.0.1:$PORT/q/metrics" | grep -E '^trainyard_ingest_batch_(size_events|duration_seconds)_(count|sum|max)' >&2 || true
fi
progress=$("${PSQL[@]}" -d "$DB" -c "select count(*) from run_progress where experiment_id = '$EXPERIMENT'")
read -r s0 d0 b0 <<<"$cpu_before"
read -r s1 d1 b1 <<<"$cpu_after"
awk -v n="$N" -v s="$start" -v p="$published" -v d="$done_at" -v pr="$progress" -v e="$EXPERIMENT" \
    -v cs=$((s1 - s0)) -v cd=$((d1 - d0)) -v cb=$((b1 - b0)) -v lb="$load_before" -v la="$load_after" \
    -v mode="$([[ -n "${PRELOAD:-}" ]] && echo "preloaded, " || true)$([[ -n "${COLD:-}" ]] && echo cold || echo warm)" 'BEGIN {
  printf "experiment %s: %d events stored (%d progress rows), %s\n", e, n, pr, mode
  printf "publish: %.2f s   publish->all stored: %.2f s   end to end: %.2f s = %.0f events/s\n", p - s, d - p, d - s, n / (d - s)
  printf "cpu while timed: service %.1f s, its database sessions %.1f s, broker %.1f s (all its work) = %.0f us/event;",
    cs / 100, cd / 100, cb / 100, (cs + cd + cb) * 10000 / n
  printf " load average %s -> %s\n", lb, la
}'
