package io.trainyard.results;

import io.trainyard.contracts.RunCompleted;
import io.trainyard.contracts.RunFailed;
import io.trainyard.contracts.RunProgressed;
import io.trainyard.contracts.RunRef;
import io.trainyard.contracts.RunStarted;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

/** Run events as a trainer would publish them. */
final class Events {

    static final int EPOCHS = 3;

    private Events() {
    }

    static RunRef ref(UUID experimentId, UUID runId, int attempt, long sequence) {
        return new RunRef(experimentId, runId, attempt, sequence, "trainer-test",
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    static RunStarted started(UUID experimentId, UUID runId, String partition) {
        return new RunStarted(ref(experimentId, runId, 1, 1), partition, 0, null, EPOCHS, null);
    }

    static RunProgressed progressed(UUID experimentId, UUID runId, int epoch) {
        return new RunProgressed(ref(experimentId, runId, 1, 1 + epoch), epoch, EPOCHS, 1.0 / epoch, 1.5 / epoch,
                0.01);
    }

    static RunCompleted completed(UUID experimentId, UUID runId, int attempt, String partition,
            Map<String, Double> metrics) {
        return new RunCompleted(ref(experimentId, runId, attempt, 100), partition, EPOCHS, metrics,
                "models/" + experimentId + "/" + runId + "/");
    }

    static RunFailed failed(UUID experimentId, UUID runId, String reason) {
        return new RunFailed(ref(experimentId, runId, 1, 50), reason);
    }

    static Map<String, Double> metrics(double mae, double rmse, double mape) {
        return Map.of("mae", mae, "rmse", rmse, "mape", mape);
    }
}
