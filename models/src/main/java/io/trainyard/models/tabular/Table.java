package io.trainyard.models.tabular;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.trainyard.contracts.DataSpec;
import io.trainyard.models.InvalidRunException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rows of one partition of a CSV dataset, as text, in file order.
 *
 * @param columns the header
 * @param rows    each row's values, one per column
 * @param lines   each row's line in the file (for error messages)
 */
record Table(List<String> columns, List<String[]> rows, long[] lines) {

    /** What a column holds over the rows given. */
    enum Type {
        /** every value is a finite number */
        NUMBER,
        /** every non-empty value is a number, some are empty */
        NUMBER_WITH_GAPS,
        /** anything else: categories */
        TEXT
    }

    /**
     * Reads the rows of {@code data.partition()} (all rows without a partition column).
     *
     * @throws InvalidRunException when the CSV cannot be read, a row has the wrong number of values, or the
     *                             partition has no rows
     */
    static Table read(InputStream csv, DataSpec data) {
        String dataset = "dataset '" + data.datasetId() + "'";
        List<String> columns;
        List<String[]> rows = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
        try (MappingIterator<String[]> it = mapper.readerFor(String[].class).readValues(csv)) {
            if (!it.hasNextValue()) {
                throw new InvalidRunException(dataset + " is empty: it needs a header line and rows");
            }
            columns = Arrays.stream(it.nextValue()).map(String::strip).toList();
            int partition = -1;
            if (data.partitionColumn() != null) {
                partition = columns.indexOf(data.partitionColumn());
                if (partition < 0) {
                    throw new InvalidRunException(dataset + " has no column '" + data.partitionColumn()
                            + "' (columns: " + String.join(", ", columns) + ")");
                }
            }
            long line = 1;
            while (it.hasNextValue()) {
                String[] row = it.nextValue();
                line++;
                if (row.length == 1 && row[0].isBlank()) {
                    continue; // a blank line
                }
                if (row.length != columns.size()) {
                    throw new InvalidRunException(dataset + " line " + line + " has " + row.length
                            + " values for " + columns.size() + " columns");
                }
                if (partition >= 0 && !data.partition().equals(row[partition])) {
                    continue;
                }
                rows.add(row);
                lines.add(line);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidRunException invalid) {
                throw invalid;
            }
            throw new InvalidRunException(dataset + " is not a readable CSV: " + e.getMessage());
        }
        if (rows.isEmpty()) {
            throw new InvalidRunException(dataset + " has no rows" + (data.partition() == null ? ""
                    : " for " + data.partitionColumn() + " = " + data.partition()));
        }
        return new Table(columns, rows, lines.stream().mapToLong(Long::longValue).toArray());
    }

    int column(String name) {
        return columns.indexOf(name);
    }

    /** The column's type over the rows {@code which} (indices into {@link #rows()}). */
    Type type(int column, int[] which) {
        boolean gaps = false;
        for (int r : which) {
            String value = rows.get(r)[column].strip();
            if (value.isEmpty()) {
                gaps = true;
            } else if (!isNumber(value)) {
                return Type.TEXT;
            }
        }
        return gaps ? Type.NUMBER_WITH_GAPS : Type.NUMBER;
    }

    /** The row's value in {@code column} as a number (the caller knows the column is numeric). */
    double number(int row, int column) {
        return Double.parseDouble(rows.get(row)[column].strip());
    }

    String text(int row, int column) {
        return rows.get(row)[column].strip();
    }

    /** The first of {@code which} whose value in {@code column} is empty, as its file line; -1 when none. */
    long firstEmptyLine(int column, int[] which) {
        for (int r : which) {
            if (rows.get(r)[column].isBlank()) {
                return lines[r];
            }
        }
        return -1;
    }

    static boolean isNumber(String value) {
        try {
            return Double.isFinite(Double.parseDouble(value));
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
