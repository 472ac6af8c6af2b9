package io.trainyard.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trainyard.storage.demo.CityDemand;
import io.trainyard.storage.testing.S3ProxyServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DatasetAndModelStoreTest {

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
    void generatedDatasetIsStoredAndReadBack() throws Exception {
        DatasetStore datasets = new DatasetStore(s3.newBucket());
        CityDemand.Generated generated = CityDemand.generate("demand", 3, 400, 7);
        datasets.save(generated.meta(), generated.csv());

        DatasetMeta meta = datasets.meta("demand").orElseThrow();
        assertThat(meta.rows()).isEqualTo(1200);
        assertThat(meta.partitions()).hasSize(3);
        assertThat(meta.columnNames()).containsExactly("date", "city", "demand");
        try (InputStream in = datasets.openCsv("demand").orElseThrow()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(generated.csv());
        }
        assertThat(datasets.meta("missing")).isEmpty();
    }

    @Test
    void modelIsCompleteOnceItsMetadataIsWritten() {
        ModelStore models = new ModelStore(s3.newBucket());
        UUID experiment = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        assertThat(models.metadata(experiment, run)).isEmpty();
        assertThat(models.exists(experiment, run)).isFalse();
        String location = models.save(experiment, run, new byte[] {1, 2, 3}, Map.of("kind", "mlp-forecaster"));
        assertThat(location).isEqualTo("models/" + experiment + "/" + run + "/");
        assertThat(models.metadata(experiment, run)).hasValueSatisfying(m -> assertThat(m).containsEntry("kind",
                "mlp-forecaster"));
        assertThat(models.parameters(experiment, run)).hasValue(new byte[] {1, 2, 3});
        assertThat(models.exists(experiment, run)).isTrue();
        assertThat(models.exists(experiment, UUID.randomUUID())).isFalse();
    }

    @Test
    void datasetIdsCannotEscapeTheirPrefix() {
        assertThatThrownBy(() -> Keys.datasetCsv("../models")).hasMessageContaining("not valid");
        assertThatThrownBy(() -> Keys.datasetCsv("a/b")).hasMessageContaining("not valid");
        assertThatThrownBy(() -> Keys.datasetCsv("Upper")).hasMessageContaining("not valid");
        assertThat(Keys.datasetCsv("city-demand_2.v1")).isEqualTo("datasets/city-demand_2.v1/data.csv");
    }
}
