package io.trainyard.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trainyard.contracts.Visibility;
import io.trainyard.storage.demo.CityDemand;
import io.trainyard.storage.testing.S3ProxyServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The owner in meta.json, old meta.json files without one, and ids that try to leave their prefix. */
class DatasetOwnershipTest {

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
    void theOwnerAndVisibilityAreStoredWithTheMetadata() {
        DatasetStore datasets = new DatasetStore(s3.newBucket());
        CityDemand.Generated generated = CityDemand.generate("owned", 2, 100, 7);
        datasets.save(generated.meta().ownedBy("alice", Visibility.SHARED), generated.csv());

        DatasetMeta meta = datasets.meta("owned").orElseThrow();
        assertThat(meta.owner()).isEqualTo("alice");
        assertThat(meta.visibility()).isEqualTo(Visibility.SHARED);
    }

    @Test
    void aMetaJsonWrittenBeforeOwnersExistedIsStillReadable() {
        ObjectStore objects = s3.newBucket();
        String old = """
                {"id":"legacy","rows":2,"columns":[{"name":"date","type":"date"},{"name":"demand","type":"number"}],
                 "partitionColumn":null,"partitions":[],"bytes":40,"createdAt":"2026-11-01T10:00:00Z"}
                """;
        objects.put(Keys.datasetMeta("legacy"), old.getBytes(StandardCharsets.UTF_8), "application/json");

        DatasetMeta meta = new DatasetStore(objects).meta("legacy").orElseThrow();
        assertThat(meta.rows()).isEqualTo(2);
        assertThat(meta.owner()).isNull();
        assertThat(meta.visibility()).isNull();
    }

    @Test
    void noDatasetIdBecomesAKeyOutsideItsPrefix() {
        List<String> hostile = List.of("..", ".", "../models", "a/../../b", "a/b", "/abs", "a\\b", "%2e%2e",
                "%2fetc", "a..b", "..a", ".hidden", "-dash", "_under", "Upper", "a b", "a\u0000b", "a\nb",
                "caf\u00e9", "\u2024\u2024", "a".repeat(65), "", " ", "a?b", "a#b", "a*", "models/x", "datasets");
        for (String id : hostile) {
            if (id.equals("datasets")) {
                // a valid id, and it stays inside datasets/
                assertThat(Keys.datasetCsv(id)).isEqualTo("datasets/datasets/data.csv");
                continue;
            }
            assertThatThrownBy(() -> Keys.datasetCsv(id)).as("id %s", id)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid");
            assertThatThrownBy(() -> Keys.datasetMeta(id)).as("id %s", id)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> Keys.datasetId(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHostileIdReachesNoObjectOfAnotherPrefix() {
        ObjectStore objects = s3.newBucket();
        DatasetStore datasets = new DatasetStore(objects);
        objects.put("models/e/r/model.json", "{}".getBytes(StandardCharsets.UTF_8), "application/json");
        for (String id : List.of("../models/e/r", "..%2fmodels", "a/../../models/e/r")) {
            assertThatThrownBy(() -> datasets.meta(id)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> datasets.openCsv(id)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> datasets.saveCsv(id, java.io.InputStream.nullInputStream()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(objects.list("")).containsExactly("models/e/r/model.json");
    }
}
