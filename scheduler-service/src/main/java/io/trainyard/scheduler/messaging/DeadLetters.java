package io.trainyard.scheduler.messaging;

import java.util.List;
import java.util.Map;

/**
 * Why RabbitMQ dead-lettered a message, told from its headers: the newest {@code x-death} entry (reason, queue,
 * count), or the {@code x-last-death-*} headers of RabbitMQ 3.13 and later.
 */
final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * A reason a person can act on, e.g. "command dead-lettered from trainer.cpu after 6 deliveries (delivery limit
     * reached)".
     *
     * @param deliveryLimit the trainer queues' delivery limit: a command reaching it was delivered once more
     */
    static String reason(Map<String, Object> headers, int deliveryLimit) {
        Map<?, ?> death = headers == null ? null : headers.get("x-death") instanceof List<?> deaths
                && !deaths.isEmpty() && deaths.getFirst() instanceof Map<?, ?> newest ? newest : null;
        String reason = text(death != null ? death.get("reason") : headers == null ? null
                : headers.get("x-last-death-reason"));
        String queue = text(death != null ? death.get("queue") : headers == null ? null
                : headers.get("x-last-death-queue"));
        long count = death != null && death.get("count") instanceof Number n ? n.longValue() : 1;
        String from = queue != null ? " from " + queue : "";
        String times = count > 1 ? " (dead-lettered " + count + " times)" : "";
        if (reason == null) {
            return "command dead-lettered" + from + " for an unknown reason (no x-death header)";
        }
        return switch (reason) {
            // Only the trainer queues are known to have the configured limit.
            case "delivery_limit" -> "command dead-lettered" + from + (queue == null || queue.startsWith("trainer.")
                    ? " after " + (deliveryLimit + 1) + " deliveries" : "")
                    + " (delivery limit reached): every trainer that took it failed or crashed" + times;
            case "rejected" -> "command rejected by a trainer and dead-lettered" + from + times;
            case "expired" -> "command expired" + (queue != null ? " in " + queue : "") + " before a trainer took it"
                    + times;
            case "maxlen" -> "command dropped" + from + ": the queue was full" + times;
            default -> "command dead-lettered" + from + " (" + reason + ")" + times;
        };
    }

    /** Header values are strings or AMQP long strings, depending on the client that read them. */
    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
