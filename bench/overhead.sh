#!/usr/bin/env bash
# Overhead benchmark (issue 4, target ratio >= 0.97): the platform's training speed against a bare DJL loop on the
# same model and data, in one JVM, taking turns (each side first, second and third in turn), after two warm-up runs
# of each. Ratio = platform samples/s / bare samples/s, per round; the median over rounds is the figure.
#
# Both sides: the MLP forecaster's model, 24 lags -> H -> H -> 1 with ReLU (default H = 512), the same CityDemand
# series (default 7300 days: 5,821 training and 1,455 validation windows), batch 64, Adam at 1e-3 (beta 0.9/0.999,
# eps 1e-8, the engine's fused Adam kernel on both sides), the run's own loss (mean squared error), N epochs over
# shuffled batches built the same way (rows copied into one array per batch) and the validation loss after each
# epoch; one PyTorch intra-op and one inter-op thread (NOTES.md: faster than two on 2 cores).
#
#   platform: TrainingLoop.train, the trainer's loop (RunProcessor's): data order from (seed, epoch), seeded
#             initialisation, CheckpointableAdam, the epoch's loss summed on the engine and read once per epoch, and
#             every checkpointEvery epochs a checkpoint - parameters and optimizer state copied to bytes on the
#             training thread, then CheckpointStore.save to a real S3 server (S3Proxy, a child process: 3 objects,
#             the fencing reads, the pointer, pruning to 3) on the loop's checkpoint thread, overlapping the next
#             epoch, which ends only once the checkpoint is stored (so a crash loses at most one interval). At the
#             end the final model is serialised (DJL's format) and the metrics computed.
#   not stored: the same loop whose listener drops each checkpoint (the snapshot is still taken): the loop's own
#             cost, without storage's.
#   bare:     DJL's plain loop as its examples write it: a Trainer with DJL's Adam and the run's loss, per batch
#             forward -> loss -> backward in trainer.newGradientCollector() and trainer.step(), trainer.evaluate
#             for the validation loss. No checkpoint, no model written. (DJL's ArrayDataset/EasyTrain.fit would add
#             batching cost of its own to the reference, making the platform look better than it is.)
#   Not in any: RabbitMQ. The trainer publishes run.progress without waiting for the confirm (on the training
#   thread, once an epoch) and awaits run.checkpointed's confirm on the checkpoint thread after the write.
#
# The S3 server runs at nice 19 (-Dbench.s3Nice=0 to turn that off): in a deployment storage is served by other
# machines, here it shares the 2 cores with the training thread. Its CPU per checkpoint is printed, with the write
# time and the checkpoint thread's CPU. The training thread's CPU-time ratio is printed too: other processes'
# load disturbs it less than wall time. On a shared machine use several rounds, read the median, note the load.
# Before the rounds, 200 checkpoints of the real size are written to the S3 server and deleted (-Dbench.s3Warmup=N,
# 0 for none): fresh from start-up it used about twice the CPU per checkpoint (107 ms against 45-55 ms after the
# warm-up, 2026-11-24), and in a deployment storage is a long-running server.
#
# Usage: bench/overhead.sh [rounds=7] [epochs=10] [days=7300] [checkpointEvery=2] [hidden=512]
#   e.g. bench/overhead.sh 7 20 1095 5 64   the demo's shape (857 windows, 14 batches: epochs of a few ms, shorter
#                                            than one checkpoint write, so storage sets the pace)
# Environment: MVN_LOCK (a file: the Maven steps run under flock on it, for machines where builds take turns),
#   JAVA_OPTS (extra JVM options, e.g. -Dbench.s3Nice=0).
# Needs: JDK 21+, Maven (offline once the build has run), renice. The classes and the project's jars are copied to
# a temporary directory first, so builds by others during the run do not change what it runs.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
: "${JAVA_HOME:=$(ls -d /usr/lib/jvm/temurin-2[1-9]* /usr/lib/jvm/temurin-[3-9]* 2>/dev/null | sort -V | tail -1)}"
export JAVA_HOME
mvn() { if [ -n "${MVN_LOCK:-}" ]; then flock "$MVN_LOCK" mvn "$@"; else command mvn "$@"; fi; }
mvn -B -q -o -pl contracts,storage,models -DskipTests install >/dev/null
mvn -B -q -o -pl trainer-service dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test >/dev/null
mvn -B -q -o -pl trainer-service test-compile process-test-resources >/dev/null
run=$(mktemp -d "${TMPDIR:-/tmp}/trainyard-overhead.XXXXXX")
trap 'rm -rf "$run"' EXIT
cp -r trainer-service/target/classes "$run/classes"
cp -r trainer-service/target/test-classes "$run/test-classes"
cp trainer-service/target/s3proxy/s3proxy.jar "$run/s3proxy.jar"
cp="$run/test-classes:$run/classes"
IFS=: read -ra jars < trainer-service/target/bench.classpath || true  # no newline at its end
for jar in "${jars[@]}"; do
    case "$jar" in
        */io/trainyard/*) cp "$jar" "$run/" && cp="$cp:$run/$(basename "$jar")" ;;  # rebuilt by others: copy
        *) cp="$cp:$jar" ;;
    esac
done
"$JAVA_HOME/bin/java" ${JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -Dai.djl.pytorch.num_threads=1 \
    -Dai.djl.pytorch.num_interop_threads=1 -Dai.djl.offline=true \
    -Dtrainyard.s3proxy.jar="$run/s3proxy.jar" \
    -cp "$cp" io.trainyard.trainer.bench.OverheadBenchmark "$@"
