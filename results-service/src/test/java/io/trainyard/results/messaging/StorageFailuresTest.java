package io.trainyard.results.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class StorageFailuresTest {

    @Test
    void dataTheDatabaseRefusesIsPermanentEvenWhenWrapped() {
        PgException nul = new PgException("invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", "22021", null);
        assertThat(StorageFailures.isPermanent(nul)).isTrue();
        assertThat(StorageFailures.isPermanent(new CompletionException(new IllegalStateException(nul)))).isTrue();
        assertThat(StorageFailures.isPermanent(new PgException("duplicate key", "ERROR", "23505", null))).isTrue();
    }

    @Test
    void anUnreachableOrBusyDatabaseIsWorthRetrying() {
        assertThat(StorageFailures.isPermanent(new ConnectException("Connection refused"))).isFalse();
        assertThat(StorageFailures.isPermanent(
                new PgException("the database system is starting up", "FATAL", "57P03", null))).isFalse();
        assertThat(StorageFailures.isPermanent(
                new PgException("could not serialize access", "ERROR", "40001", null))).isFalse();
        assertThat(StorageFailures.isPermanent(new IllegalStateException("no cause"))).isFalse();
    }
}
