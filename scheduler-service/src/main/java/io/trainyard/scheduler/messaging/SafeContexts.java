package io.trainyard.scheduler.messaging;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs reactive work that uses Hibernate Reactive outside of a request or a message: Panache keeps its session in the
 * current Vert.x duplicated context and refuses one that is not flagged safe (isolated to one stream of work).
 * Quarkus's scheduler does the same for non-blocking {@code @Scheduled} methods (its {@code OffloadingInvoker}).
 */
final class SafeContexts {

    private SafeContexts() {
    }

    /** Subscribes to {@code work} on a new, safe duplicated context of {@code vertx}. */
    static <T> Uni<T> onNewContext(Vertx vertx, Supplier<Uni<? extends T>> work) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        return Uni.createFrom().<T>deferred(work).runSubscriptionOn(executor(context));
    }

    /**
     * An executor that runs on {@code context}: results that arrive on another thread (a broker confirm) are brought
     * back to it, because a reactive Hibernate session must only be used from the thread that opened it.
     */
    static Executor executor(Context context) {
        return task -> context.runOnContext(ignored -> task.run());
    }
}
