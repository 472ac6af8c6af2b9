package io.trainyard.results.metrics;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.trainyard.results.config.ResultsConfig;
import io.trainyard.results.repository.ExperimentActivityRepository;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Recomputes the per-experiment gauges from the database every few seconds, for the experiments active within
 * {@code trainyard.results.metrics.active-window}. Aggregates come from SQL, so every replica exports the same
 * values whichever events it consumed.
 */
@ApplicationScoped
public class ExperimentGaugeRefresher {

    private static final Logger LOG = Logger.getLogger(ExperimentGaugeRefresher.class);

    private final ExperimentActivityRepository activity;
    private final ResultsMetrics metrics;
    private final ResultsConfig config;
    /** Set at shutdown: a refresh then in flight fails on the closing pool, which is no news to anyone. */
    private volatile boolean stopping;

    public ExperimentGaugeRefresher(ExperimentActivityRepository activity, ResultsMetrics metrics,
            ResultsConfig config) {
        this.activity = activity;
        this.metrics = metrics;
        this.config = config;
    }

    @Scheduled(identity = "experiment-gauges", every = "${trainyard.results.metrics.refresh-every:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @WithSession
    Uni<Void> refresh() {
        Instant since = Instant.now().minus(config.metrics().activeWindow());
        int limit = config.metrics().maxExperiments();
        return activity.recentCounts(since, limit)
                .flatMap(counts -> activity.recentAggregates(since, limit)
                        .invoke(aggregates -> metrics.publish(counts, aggregates)))
                .replaceWithVoid()
                // keep the previous values while the database is unreachable; the next run tries again
                .onFailure().recoverWithItem(failure -> {
                    if (stopping) {
                        LOG.debugf("Experiment gauges not refreshed while stopping: %s", failure);
                    } else {
                        LOG.warnf("Cannot refresh the experiment gauges: %s", failure.toString());
                    }
                    return null;
                });
    }

    void stopping(@Observes ShutdownEvent event) {
        stopping = true;
    }
}
