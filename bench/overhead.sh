#!/usr/bin/env bash
# Training speed of trainyard's loop (with checkpoints to a real S3 server) against a bare DJL loop on the same
# model and data, in one process. Usage: bench/overhead.sh [rounds] [epochs]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
: "${JAVA_HOME:=$(ls -d /usr/lib/jvm/temurin-2[1-9]* /usr/lib/jvm/temurin-[3-9]* 2>/dev/null | sort -V | tail -1)}"
export JAVA_HOME
mvn -B -q -o -pl trainer-service -am -DskipTests install >/dev/null
mvn -B -q -o -pl trainer-service dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -Dmdep.includeScope=test >/dev/null
mvn -B -q -o -pl trainer-service test-compile process-test-resources >/dev/null
cp="trainer-service/target/test-classes:trainer-service/target/classes:$(cat trainer-service/target/bench.classpath)"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dai.djl.pytorch.num_threads=1 \
    -Dai.djl.pytorch.num_interop_threads=1 -Dai.djl.offline=true \
    -Dtrainyard.s3proxy.jar=trainer-service/target/s3proxy/s3proxy.jar \
    -cp "$cp" io.trainyard.trainer.bench.OverheadBenchmark "$@"
