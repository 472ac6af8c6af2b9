package io.trainyard.models.forecaster;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.trainyard.contracts.DataSpec;
import io.trainyard.models.InvalidRunException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads one partition's time series out of a CSV, ordered by the time column. */
public final class SeriesReader {

    private SeriesReader() {
    }

    /**
     * The target values of {@code data.partition()} in time order.
     *
     * @throws InvalidRunException when a column is missing, a value is not a number, a time repeats, or the
     *                             partition has no rows
     */
    public static float[] read(InputStream csv, DataSpec data) {
        CsvMapper mapper = new CsvMapper();
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        TreeMap<String, Float> series = new TreeMap<>();
        try (MappingIterator<Map<String, String>> rows = mapper.readerForMapOf(String.class).with(schema)
                .readValues(csv)) {
            boolean checkedHeader = false;
            long line = 1;
            while (rows.hasNextValue()) {
                Map<String, String> row = rows.nextValue();
                line++;
                if (!checkedHeader) {
                    List<String> required = new ArrayList<>(List.of(data.timeColumn(), data.targetColumn()));
                    if (data.partitionColumn() != null) {
                        required.add(data.partitionColumn());
                    }
                    for (String column : required) {
                        if (!row.containsKey(column)) {
                            throw new InvalidRunException("dataset '" + data.datasetId() + "' has no column '"
                                    + column + "' (columns: " + String.join(", ", row.keySet()) + ")");
                        }
                    }
                    checkedHeader = true;
                }
                if (data.partitionColumn() != null && !data.partition().equals(row.get(data.partitionColumn()))) {
                    continue;
                }
                String time = row.get(data.timeColumn());
                String raw = row.get(data.targetColumn());
                float value;
                try {
                    value = Float.parseFloat(raw);
                } catch (NumberFormatException | NullPointerException e) {
                    throw new InvalidRunException("dataset '" + data.datasetId() + "' line " + line + ": "
                            + data.targetColumn() + " '" + raw + "' is not a number");
                }
                if (!Float.isFinite(value)) {
                    throw new InvalidRunException("dataset '" + data.datasetId() + "' line " + line + ": "
                            + data.targetColumn() + " is " + raw);
                }
                if (series.put(time, value) != null) {
                    throw new InvalidRunException("dataset '" + data.datasetId() + "' line " + line + ": time '"
                            + time + "' appears twice" + (data.partition() == null ? "" : " for " + data.partition()));
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidRunException invalid) {
                throw invalid;
            }
            throw new InvalidRunException("dataset '" + data.datasetId() + "' is not a readable CSV: "
                    + e.getMessage());
        }
        if (series.isEmpty()) {
            throw new InvalidRunException("dataset '" + data.datasetId() + "' has no rows"
                    + (data.partition() == null ? "" : " for " + data.partitionColumn() + " = " + data.partition()));
        }
        float[] values = new float[series.size()];
        int i = 0;
        for (float v : series.values()) {
            values[i++] = v;
        }
        return values;
    }
}
