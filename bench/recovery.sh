#!/usr/bin/env bash
# Recovery benchmark: kill -9 a busy trainer while a standby trainer runs, and measure
#   - resume: from the kill (the instant the signal is sent) until the run's next attempt announces run.started
#     (arrival at the benchmark's own event queue): the broker sees the closed connection and redelivers, the
#     standby checks for a finished model and a cancellation, reads the dataset, loads and verifies the checkpoint;
#   - checkpoint load: the benchmark itself loading that checkpoint from the same S3 server right after, the share
#     of the resume that the checkpoint is (the trainer does not time its load on its own);
#   - work lost: epochs the killed attempt had finished past the checkpoint it resumed from, and the time since
#     that checkpoint, against the checkpoint interval.
# Each repetition trains one MLP-forecaster run (40 epochs, checkpoint every 2) on two trainers of a pool of their
# own (packaged jars, as processes), with S3Proxy started for the run; no scheduler or results service (not on this
# path). Runs are published straight to the pool's queue. Kills land at a random point of a checkpoint interval.
# By default each trainer first trains a short run, so the standby is warm (as in a fleet that has been working);
# COLD=1 measures a standby JVM that has never trained (first use of the S3 client, the event channel, the JIT).
# Prints one line per repetition, then median and max. Targets (issue 4): resume <= 0.5 s plus checkpoint load,
# lost <= one checkpoint interval.
#
# Usage: bench/recovery.sh [repetitions]       (default 5; each takes ~30 s, most of it restarting the killed
#                                              trainer)
# Environment: BUILD=1 packages trainer-service first (else only when its jar is missing), EPOCHS (40),
#   CHECKPOINT_EVERY (2), COLD=1 (see above), SEED (1, where in the interval the kills land), MVN_LOCK (a file: the Maven steps run under
#   flock on it, for machines where builds must take turns).
# Needs: RabbitMQ on 127.0.0.1:5672 (guest), JDK 21+, Maven (offline is fine once the build has run).
# Logs of the trainers: e2e-tests/target/e2e-logs/recovery-trainer-N.log
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
ROOT=$(pwd -P)
: "${JAVA_HOME:=$(ls -d /usr/lib/jvm/temurin-2[1-9]* /usr/lib/jvm/temurin-[3-9]* 2>/dev/null | sort -V | tail -1)}"
export JAVA_HOME
mvn() { if [ -n "${MVN_LOCK:-}" ]; then flock "$MVN_LOCK" mvn "$@"; else command mvn "$@"; fi; }
if [ -n "${BUILD:-}" ] || [ ! -f trainer-service/target/quarkus-app/quarkus-run.jar ]; then
    mvn -B -q -o -DskipTests package -pl trainer-service -am >/dev/null
fi
# In one reactor with the modules it uses, so the classes match this tree (not whatever ~/.m2 holds).
mvn -B -q -o -pl e2e-tests -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test >/dev/null
cd e2e-tests
exec "$JAVA_HOME/bin/java" -Dtrainyard.root="$ROOT" -Dtrainyard.s3proxy.jar=target/s3proxy/s3proxy.jar \
    -Dbench.epochs="${EPOCHS:-40}" -Dbench.checkpointEvery="${CHECKPOINT_EVERY:-2}" -Dbench.seed="${SEED:-1}" \
    -Dbench.cold="${COLD:+true}" \
    -cp "target/test-classes:$(cat target/bench.classpath)" io.trainyard.e2e.RecoveryBenchmark "$@"
