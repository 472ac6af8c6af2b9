package io.trainyard.results.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps /q/metrics clean for {@code promtool check metrics}, also for the meters that libraries register (JVM,
 * Netty, the reactive PostgreSQL client): each meter gets HELP text, label names are snake_case, and no metric
 * name carries an abbreviated unit or a {@code _count} suffix outside histograms.
 *
 * <p>What this cannot change: the Prometheus client writes a counter's HELP and TYPE under its family name
 * ({@code trainyard_events_ingested}) and its samples with {@code _total}; promtool 2.42 then reports each
 * {@code *_total} as "no help text", although Prometheus reads the page as intended. PrometheusFormatTest accepts
 * exactly that report for families declared as counters with HELP, and nothing else.
 */
@Singleton
public class MetricDescriptions {

    @Produces
    @Singleton
    MeterFilter promtoolClean() {
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                // CPU time in nanoseconds (process_cpu_time_ns_total): an abbreviated, non-base unit in the name,
                // and process.cpu.usage already tells how busy the process is
                if ("process.cpu.time".equals(id.getName())) {
                    return MeterFilterReply.DENY;
                }
                // a long task timer of open HTTP connections, exposed as a summary with samples (_active_count,
                // _duration_sum) a summary cannot have; http_server_active_requests tells the load
                return "http.server.connections".equals(id.getName()) ? MeterFilterReply.DENY
                        : MeterFilterReply.NEUTRAL;
            }

            @Override
            public Meter.Id map(Meter.Id id) {
                String name = "system.cpu.count".equals(id.getName()) ? "system.cpu.cores" : id.getName();
                List<Tag> tags = new ArrayList<>();
                boolean renamedTag = false;
                for (Tag tag : id.getTagsAsIterable()) {
                    String key = snakeCase(tag.getKey());
                    renamedTag |= !key.equals(tag.getKey());
                    tags.add(Tag.of(key, tag.getValue()));
                }
                String description = description(id);
                if (name.equals(id.getName()) && !renamedTag && description.equals(id.getDescription())) {
                    return id;
                }
                return new Meter.Id(name, Tags.of(tags), id.getBaseUnit(), description, id.getType());
            }
        };
    }

    /*
     * The exposition escapes a double quote in HELP as \", which the text format does not allow there (only \\ and
     * \n), so one quoted word in a library's description ("cpu time") made promtool reject the whole page.
     */
    static String description(Meter.Id id) {
        String description = id.getDescription();
        if (description == null || description.isBlank()) {
            return "Meter " + id.getName() + " (its library gives no description)";
        }
        return description.replace('"', '\'');
    }

    static String snakeCase(String key) {
        StringBuilder snake = new StringBuilder(key.length() + 4);
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    snake.append('_');
                }
                snake.append(Character.toLowerCase(c));
            } else {
                snake.append(c);
            }
        }
        return snake.toString();
    }
}
