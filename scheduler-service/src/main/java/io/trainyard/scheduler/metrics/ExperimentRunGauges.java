package io.trainyard.scheduler.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.trainyard.scheduler.ExperimentEntity;
import io.trainyard.scheduler.RunState;
import io.trainyard.scheduler.config.MetricsConfig;
import io.trainyard.scheduler.repository.RecentExperimentRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Runs by state of each recent experiment, for the Grafana "Experiments" dashboard (runs by state, completion rate,
 * ETA): only the scheduler knows the runs still waiting in the outbox or the queue. Series carry the experiment id
 * and the state, never a run id; every refresh replaces them all, so experiments older than
 * {@code trainyard.scheduler.metrics.active-window} disappear. Values come from the database, so the replicas agree
 * (dashboards take the max over instances).
 */
@ApplicationScoped
public class ExperimentRunGauges {

    private static final Logger LOG = Logger.getLogger(ExperimentRunGauges.class);

    private final RecentExperimentRepository experiments;
    private final MetricsConfig config;
    private final MultiGauge runs;
    private final MultiGauge info;

    public ExperimentRunGauges(RecentExperimentRepository experiments, MetricsConfig config, MeterRegistry registry) {
        this.experiments = experiments;
        this.config = config;
        this.runs = MultiGauge.builder("trainyard.scheduler.experiment.runs")
                .description("Runs of a recent experiment in each state (the scheduler's run states, lower case)")
                .register(registry);
        this.info = MultiGauge.builder("trainyard.scheduler.experiment.info")
                .description("Always 1; names a recent experiment's id (labels name, pool, dataset) for dashboards")
                .register(registry);
    }

    @Scheduled(identity = "experiment-run-gauges", every = "${trainyard.scheduler.metrics.refresh-every:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @WithSession
    Uni<Void> refresh() {
        Instant since = Instant.now().minus(config.activeWindow());
        return experiments.submittedSince(since, config.maxExperiments())
                .flatMap(recent -> experiments.runsByState(recent.stream().map(e -> e.id).toList())
                        .invoke(counts -> publish(recent, counts)))
                .replaceWithVoid()
                // keep the previous values while the database is unreachable; the next run tries again
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("Cannot refresh the experiment run gauges: %s", failure.toString());
                    return null;
                });
    }

    private void publish(List<ExperimentEntity> recent, List<RecentExperimentRepository.StateCount> counts) {
        Map<UUID, Map<RunState, Long>> byExperiment = new HashMap<>();
        for (RecentExperimentRepository.StateCount c : counts) {
            byExperiment.computeIfAbsent(c.experimentId(), id -> new EnumMap<>(RunState.class))
                    .put(c.state(), c.count());
        }
        List<MultiGauge.Row<?>> runRows = new ArrayList<>();
        List<MultiGauge.Row<?>> infoRows = new ArrayList<>();
        for (ExperimentEntity e : recent) {
            String id = e.id.toString();
            Map<RunState, Long> states = byExperiment.getOrDefault(e.id, Map.of());
            // every state, zeros included, so a panel's series do not come and go as runs move on
            for (RunState state : RunState.values()) {
                runRows.add(MultiGauge.Row.of(Tags.of("experiment", id, "state", state.name().toLowerCase(Locale.ROOT)),
                        states.getOrDefault(state, 0L)));
            }
            infoRows.add(MultiGauge.Row.of(Tags.of("experiment", id, "name", e.name, "pool", e.pool, "dataset",
                    e.dataset), 1));
        }
        info.register(infoRows, true);
        runs.register(runRows, true);
    }
}
