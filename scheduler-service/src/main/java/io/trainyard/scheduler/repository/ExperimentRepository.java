package io.trainyard.scheduler.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.trainyard.scheduler.ExperimentEntity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
public class ExperimentRepository implements PanacheRepositoryBase<ExperimentEntity, UUID> {
}
