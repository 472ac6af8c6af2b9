package io.trainyard.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExperimentStatusTest {

    @Test
    void statusFollowsTheRuns() {
        assertThat(ExperimentStatus.of(new RunCounts(1, 2, 0, 0, 0, 0))).isEqualTo(ExperimentStatus.QUEUED);
        assertThat(ExperimentStatus.of(new RunCounts(0, 2, 1, 0, 0, 0))).isEqualTo(ExperimentStatus.RUNNING);
        assertThat(ExperimentStatus.of(new RunCounts(0, 2, 0, 1, 0, 0))).isEqualTo(ExperimentStatus.RUNNING);
        assertThat(ExperimentStatus.of(new RunCounts(0, 0, 0, 3, 0, 0))).isEqualTo(ExperimentStatus.SUCCEEDED);
        assertThat(ExperimentStatus.of(new RunCounts(0, 0, 0, 2, 1, 0))).isEqualTo(ExperimentStatus.PARTIALLY_FAILED);
        assertThat(ExperimentStatus.of(new RunCounts(0, 0, 0, 0, 3, 0))).isEqualTo(ExperimentStatus.FAILED);
        assertThat(ExperimentStatus.of(new RunCounts(0, 0, 0, 2, 1, 1))).isEqualTo(ExperimentStatus.CANCELLED);
        assertThat(ExperimentStatus.of(new RunCounts(0, 1, 0, 2, 0, 1))).isEqualTo(ExperimentStatus.RUNNING);
        assertThat(ExperimentStatus.of(new RunCounts(0, 1, 0, 0, 0, 1))).isEqualTo(ExperimentStatus.QUEUED);
        assertThat(ExperimentStatus.PARTIALLY_FAILED.json()).isEqualTo("partially_failed");
    }
}
