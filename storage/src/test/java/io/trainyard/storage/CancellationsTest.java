package io.trainyard.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainyard.storage.testing.S3ProxyServer;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CancellationsTest {

    static S3ProxyServer s3;

    @BeforeAll
    static void startS3() {
        s3 = S3ProxyServer.start();
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @Test
    void aCancelledRunIsSeenAndItsNeighboursAreNot() {
        Cancellations cancellations = new Cancellations(s3.newBucket());
        UUID experiment = UUID.randomUUID();
        UUID cancelled = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        assertThat(cancellations.isCancelled(experiment, cancelled)).isFalse();

        cancellations.cancel(experiment, List.of(cancelled), "by test", Instant.now());
        cancellations.cancel(experiment, List.of(cancelled), "twice is fine", Instant.now());

        assertThat(cancellations.isCancelled(experiment, cancelled)).isTrue();
        assertThat(cancellations.isCancelled(experiment, other)).isFalse();
        assertThat(cancellations.isCancelled(UUID.randomUUID(), cancelled)).isFalse();
    }

    @Test
    void cancellingAnExperimentCoversEveryRunOfItOnly() {
        Cancellations cancellations = new Cancellations(s3.newBucket());
        UUID experiment = UUID.randomUUID();
        cancellations.cancel(experiment, List.of(), "whole experiment", Instant.now());

        assertThat(cancellations.isCancelled(experiment, UUID.randomUUID())).isTrue();
        assertThat(cancellations.isCancelled(UUID.randomUUID(), UUID.randomUUID())).isFalse();
    }
}
