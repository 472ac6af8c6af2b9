package io.trainyard.results.rest;

import io.trainyard.results.service.ExperimentResults;
import java.util.List;
import java.util.TreeSet;

/** Final results as CSV (RFC 4180): header runId,partition,attempt then one column per metric, by name. */
final class ResultsCsv {

    /** Media type of the export. */
    static final String MEDIA_TYPE = "text/csv";

    private ResultsCsv() {
    }

    static String write(List<ExperimentResults.RunResult> runs) {
        TreeSet<String> metrics = new TreeSet<>();
        runs.forEach(run -> metrics.addAll(run.metrics().keySet()));
        StringBuilder csv = new StringBuilder(64 + runs.size() * (60 + 24 * metrics.size()));
        csv.append("runId,partition,attempt");
        metrics.forEach(name -> csv.append(',').append(field(name)));
        csv.append("\r\n");
        for (ExperimentResults.RunResult run : runs) {
            csv.append(run.runId()).append(',')
                    .append(run.partition() == null ? "" : field(run.partition())).append(',')
                    .append(run.attempt());
            for (String name : metrics) {
                Double value = run.metrics().get(name);
                csv.append(',');
                if (value != null) {
                    csv.append(value);
                }
            }
            csv.append("\r\n");
        }
        return csv.toString();
    }

    // partition values come from the user's data: a comma, quote or line break must not shift the columns
    static String field(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0
                && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
