#!/usr/bin/env bash
# Orchestration efficiency benchmark: 200 `synthetic` runs (NOT machine learning: each only waits, here one epoch
# of 0.5 s) on 16 slots (4 trainers x concurrency 4), and how close the fleet comes to doing nothing but wait.
#   makespan   = from just before POST /experiments to the arrival of the last run.completed at the benchmark's own
#                event queue (the trainer publishes it, confirmed, after writing the run's model to S3);
#                the start-up of the scheduler, the trainers and S3Proxy is excluded (all are ready before);
#   ideal      = runs x seconds / slots = 200 x 0.5 / 16 = 6.25 s;
#   efficiency = ideal / makespan (target >= 0.97, issue 4).
# Unless COLD=1, the same experiment runs WARMUPS times (default 3) untimed first, so the fresh JVMs' JIT and
# first-use costs are not in the figure (a fleet that has been working; after one warm-up the JVMs' compiler threads
# still used a third of their CPU); COLD=1 measures the first experiment after start-up.
# It also splits slot time into the runs' own waiting, the rest of each run's time on its trainer (run.started ..
# run.completed) and the time between runs plus ramp-up and tail, per run.
# Runs as processes from the packaged jars: S3Proxy, a scheduler on a fresh database trainyard_scheduler_bench with
# event and dead-letter queues of its own, the trainers on a pool of their own; no results service (nothing waits
# for it). Everything it starts is stopped and its queues deleted at the end.
#
# Usage: bench/orchestration.sh
# Environment: TRAINERS (4), CONCURRENCY (4), GRID (5; runs = 40 cities x GRID), RUN_SECONDS (0.5, per run),
#   WARMUPS (3), COLD=1 (see above), BUILD=1 (package the services first; else only when a jar is missing), MVN_LOCK (a file: the Maven steps run
#   under flock on it), TRAINER_OPTS (extra trainer settings, e.g. "trainyard.trainer.retry-backoff=2s", to compare).
# Needs: RabbitMQ on 127.0.0.1:5672 (guest), PostgreSQL on 127.0.0.1:5432 (user postgres, trust), JDK 21+, Maven.
# Logs: e2e-tests/target/e2e-logs/orchestration-*.log
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
ROOT=$(pwd -P)
: "${JAVA_HOME:=$(ls -d /usr/lib/jvm/temurin-2[1-9]* /usr/lib/jvm/temurin-[3-9]* 2>/dev/null | sort -V | tail -1)}"
export JAVA_HOME
mvn() { if [ -n "${MVN_LOCK:-}" ]; then flock "$MVN_LOCK" mvn "$@"; else command mvn "$@"; fi; }
if [ -n "${BUILD:-}" ] || [ ! -f trainer-service/target/quarkus-app/quarkus-run.jar ] ||
    [ ! -f scheduler-service/target/quarkus-app/quarkus-run.jar ]; then
    mvn -B -q -o -DskipTests package -pl scheduler-service,trainer-service -am >/dev/null
fi
# In one reactor with the modules it uses, so the classes match this tree (not whatever ~/.m2 holds).
mvn -B -q -o -pl e2e-tests -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test >/dev/null
extra=()
for kv in ${TRAINER_OPTS:-}; do extra+=("-Dbench.trainer.$kv"); done
cd e2e-tests
exec "$JAVA_HOME/bin/java" -Dtrainyard.root="$ROOT" -Dtrainyard.s3proxy.jar=target/s3proxy/s3proxy.jar \
    -Dbench.trainers="${TRAINERS:-4}" -Dbench.concurrency="${CONCURRENCY:-4}" -Dbench.grid="${GRID:-5}" \
    -Dbench.secondsPerEpoch="${RUN_SECONDS:-0.5}" -Dbench.cold="${COLD:+true}" -Dbench.warmups="${WARMUPS:-3}" "${extra[@]+"${extra[@]}"}" \
    -cp "target/test-classes:$(cat target/bench.classpath)" io.trainyard.e2e.OrchestrationBenchmark
