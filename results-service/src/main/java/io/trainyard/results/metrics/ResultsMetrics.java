package io.trainyard.results.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.trainyard.contracts.RunEvent;
import io.trainyard.results.repository.ExperimentCountsRow;
import io.trainyard.results.repository.MetricAggregateRow;
import io.trainyard.results.service.Recording;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The service's Prometheus meters. Per-experiment gauges carry only the {@code experiment} and {@code metric}
 * tags, never a run id, and are replaced wholesale on every refresh, so an experiment that is no longer active
 * disappears and the number of series stays bounded.
 */
@ApplicationScoped
public class ResultsMetrics {

    static final String EXPERIMENT = "experiment";
    static final String METRIC = "metric";

    private final Map<String, Counter> ingested;
    private final Counter duplicates;
    private final Counter rejected;
    private final DistributionSummary batchSize;
    private final Timer batchDuration;
    private final MultiGauge mean;
    private final Counter requeued;
    private final MultiGauge min;
    private final MultiGauge max;
    private final MultiGauge completed;
    private final MultiGauge failed;

    public ResultsMetrics(MeterRegistry registry) {
        ingested = Stream.of(RunEvent.STARTED, RunEvent.PROGRESS, RunEvent.CHECKPOINTED, RunEvent.COMPLETED,
                        RunEvent.FAILED, RunEvent.CANCELLED, RunEvent.RELEASED)
                .collect(Collectors.toUnmodifiableMap(Function.identity(), kind -> Counter
                        .builder("trainyard.events.ingested")
                        .description("Run events stored for the first time, by kind")
                        .tag("kind", kind)
                        .register(registry)));
        duplicates = Counter.builder("trainyard.events.duplicate")
                .description("Run events received again (redelivered or re-published) and ignored")
                .register(registry);
        rejected = Counter.builder("trainyard.events.rejected")
                .description("Messages on the run-events queue that could not be decoded or stored, rejected")
                .register(registry);
        requeued = Counter.builder("trainyard.events.requeued")
                .description("Run events returned to the queue because storing them failed for a reason that may "
                        + "pass (database unreachable, a lock conflict); they are stored when they come again")
                .register(registry);
        batchSize = DistributionSummary.builder("trainyard.ingest.batch.size")
                .description("Run events stored per transaction")
                .baseUnit("events")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(5000.0)
                .register(registry);
        batchDuration = Timer.builder("trainyard.ingest.batch.duration")
                .description("Time to store one batch of run events, transaction included")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        mean = gauge(registry, "trainyard.experiment.metric.mean", "Mean of a final metric over completed runs");
        min = gauge(registry, "trainyard.experiment.metric.min", "Smallest value of a final metric");
        max = gauge(registry, "trainyard.experiment.metric.max", "Largest value of a final metric");
        completed = gauge(registry, "trainyard.experiment.runs.completed", "Runs of the experiment with a result");
        failed = gauge(registry, "trainyard.experiment.runs.failed", "Runs of the experiment that failed");
    }

    private static MultiGauge gauge(MeterRegistry registry, String name, String description) {
        return MultiGauge.builder(name).description(description).register(registry);
    }

    /** Counts one stored or duplicate event. */
    public void recorded(RunEvent event, Recording recording) {
        if (recording.isDuplicate()) {
            duplicates.increment();
        } else {
            ingested.get(event.routingKey()).increment();
        }
    }

    /** Notes one committed batch: how many events it held and how long storing it took. */
    public void batchStored(int events, long nanos) {
        batchSize.record(events);
        batchDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts one message rejected without requeue. */
    public void rejected() {
        rejected.increment();
    }

    /** Counts events given back to the queue after a storage failure that may pass. */
    public void requeued(int events) {
        requeued.increment(events);
    }

    /**
     * Replaces every per-experiment series with these rows (experiments not in them disappear). A scrape can fall
     * between two of the gauges' updates; the run counts go last so that a reader who waits for a count sees the
     * aggregates that go with it.
     */
    public void publish(List<ExperimentCountsRow> counts, List<MetricAggregateRow> aggregates) {
        mean.register(aggregateRows(aggregates, MetricAggregateRow::mean), true);
        min.register(aggregateRows(aggregates, MetricAggregateRow::min), true);
        max.register(aggregateRows(aggregates, MetricAggregateRow::max), true);
        failed.register(countRows(counts, ExperimentCountsRow::failed), true);
        completed.register(countRows(counts, ExperimentCountsRow::completed), true);
    }

    private static List<MultiGauge.Row<?>> countRows(List<ExperimentCountsRow> rows,
            ToDoubleFunction<ExperimentCountsRow> value) {
        return rows.stream()
                .<MultiGauge.Row<?>>map(r -> MultiGauge.Row.of(Tags.of(EXPERIMENT, r.experimentId().toString()),
                        value.applyAsDouble(r)))
                .toList();
    }

    private static List<MultiGauge.Row<?>> aggregateRows(List<MetricAggregateRow> rows,
            ToDoubleFunction<MetricAggregateRow> value) {
        return rows.stream()
                .<MultiGauge.Row<?>>map(r -> MultiGauge.Row.of(
                        Tags.of(EXPERIMENT, r.experimentId().toString(), METRIC, r.metric()),
                        value.applyAsDouble(r)))
                .toList();
    }
}
