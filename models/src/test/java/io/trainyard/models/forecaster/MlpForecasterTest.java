package io.trainyard.models.forecaster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.trainyard.contracts.DataSpec;
import io.trainyard.contracts.Messages;
import io.trainyard.contracts.ModelSpec;
import io.trainyard.contracts.TrainRun;
import io.trainyard.contracts.TrainingSpec;
import io.trainyard.models.InMemory;
import io.trainyard.models.InvalidInputException;
import io.trainyard.models.LoadedModel;
import io.trainyard.models.PreparedRun;
import io.trainyard.models.Samples;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A stored forecaster answers as the in-memory model does, and says what it needs when the input is wrong. */
class MlpForecasterTest {

    static final int LAGS = 5;

    final List<Double> series = new ArrayList<>();
    final PreparedRun prepared;

    MlpForecasterTest() {
        StringBuilder csv = new StringBuilder("date,demand\n");
        for (int i = 0; i < 120; i++) {
            double value = 100 + 20 * Math.sin(i / 7.0) + i * 0.5;
            series.add(value);
            csv.append(LocalDate.of(2024, 1, 1).plusDays(i)).append(',').append(value).append('\n');
        }
        TrainRun command = new TrainRun(Messages.SCHEMA_VERSION, UUID.randomUUID(), UUID.randomUUID(), "cpu",
                new DataSpec("series", null, null, "date", "demand"),
                new ModelSpec(MlpForecaster.NAME, Map.of("lags", LAGS, "hidden", List.of(8))),
                new TrainingSpec(1, 16, 1e-3, 1, 1), 0, Instant.now());
        prepared = new MlpForecaster().prepare(command,
                new ByteArrayInputStream(csv.toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void storedModelForecastsWhatTheInMemoryModelDoes() {
        try (InMemory memory = new InMemory(prepared); LoadedModel stored = memory.stored(new MlpForecaster())) {
            // the last validation window is the series' last LAGS values before its last point
            Samples validation = prepared.validation();
            float[] window = new float[LAGS];
            System.arraycopy(validation.x(), (validation.size() - 1) * LAGS, window, 0, LAGS);
            @SuppressWarnings("unchecked")
            Map<String, Object> normalisation = (Map<String, Object>) prepared.describe().get("normalisation");
            double mean = (double) normalisation.get("mean");
            double std = (double) normalisation.get("std");
            double expected = memory.forward(new Samples(window, new float[1], LAGS))[0] * std + mean;

            List<Double> recent = series.subList(series.size() - 1 - LAGS - 3, series.size() - 1);
            Map<String, Object> answer = stored.predict(Map.of("values", recent));
            assertThat((List<?>) answer.get("predictions")).hasSize(1);
            assertThat((double) ((List<?>) answer.get("predictions")).get(0)).isCloseTo(expected, within(1e-3));
        }
    }

    @Test
    void severalStepsFeedEachForecastBack() {
        try (InMemory memory = new InMemory(prepared); LoadedModel stored = memory.stored(new MlpForecaster())) {
            List<Double> recent = series.subList(series.size() - LAGS, series.size());
            List<?> three = (List<?>) stored.predict(Map.of("values", recent, "steps", 3)).get("predictions");
            assertThat(three).hasSize(3);
            List<Double> shifted = new ArrayList<>(recent.subList(1, LAGS));
            shifted.add((Double) three.get(0));
            List<?> next = (List<?>) stored.predict(Map.of("values", shifted)).get("predictions");
            assertThat((double) next.get(0)).isCloseTo((double) three.get(1), within(1e-3));
        }
    }

    @Test
    void wrongInputsSayWhatTheModelNeeds() {
        try (InMemory memory = new InMemory(prepared); LoadedModel stored = memory.stored(new MlpForecaster())) {
            assertThatThrownBy(() -> stored.predict(Map.of("values", List.of(1, 2))))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("at least 5 numbers").hasMessageContaining("it has 2")
                    .extracting(e -> ((InvalidInputException) e).field()).isEqualTo("values");
            assertThatThrownBy(() -> stored.predict(Map.of("inputs", List.of(1, 2))))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("'values' must be a list");
            assertThatThrownBy(() -> stored.predict(Map.of("values", List.of(1, 2, "x", 4, 5))))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("values[2]");
            assertThatThrownBy(() -> stored.predict(Map.of("values", List.of(1, 2, 3, 4, 5), "steps", 0)))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("'steps' must be an integer");
        }
    }
}
