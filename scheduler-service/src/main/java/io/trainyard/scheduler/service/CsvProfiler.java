package io.trainyard.scheduler.service;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.trainyard.storage.DatasetMeta;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads an uploaded CSV once, as a stream, and copies its bytes to an output as they are read: checks that it is a
 * table the trainers can read (strict UTF-8, a header of distinct non-empty names, every row as wide as the header,
 * well-formed quoting), infers each column's type and collects the partition column's distinct values. Memory stays
 * bounded by the line length, the column count and the partition count, all limited.
 *
 * <p>Parsing is jackson-dataformat-csv's, the parser the trainers read datasets with, so what passes here reads the
 * same there. The first problem stops the reading and is thrown as an {@link InvalidCsvException} with its line and
 * column.
 */
public final class CsvProfiler {

    /** The limits of one upload. */
    public record Limits(long maxBytes, int maxLineLength, int maxColumns, int maxPartitions) {
    }

    /** What the CSV turned out to hold; {@code partitions} sorted, empty without a partition column. */
    public record Profile(long rows, List<DatasetMeta.Column> columns, List<String> partitions, long bytes) {
    }

    static final String NUMBER = "number";
    static final String DATE = "date";
    static final String STRING = "string";

    /** What {@link Float#parseFloat} reads, without its extras (NaN, Infinity, hex, type suffixes). */
    private static final Pattern NUMBER_VALUE = Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");
    /** ISO-8601 dates, optionally with a time and offset: they sort by time as text, as the trainers sort them. */
    private static final Pattern DATE_VALUE = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?");

    private static final CsvFactory CSV = new CsvFactory();

    private CsvProfiler() {
    }

    /**
     * Profiles {@code body}, writing every byte read to {@code copy}.
     *
     * @param partitionColumn the column whose distinct values are the partitions, null for none
     * @throws InvalidCsvException     where the CSV is not a dataset
     * @throws UploadTooLargeException past {@code limits.maxBytes()}
     * @throws IOException             reading the body or writing the copy failed
     */
    public static Profile profile(InputStream body, OutputStream copy, String partitionColumn, Limits limits)
            throws IOException {
        CopyingInputStream counted = new CopyingInputStream(body, copy, limits.maxBytes());
        Reading reading = new Reading(partitionColumn, limits);
        try (CsvParser parser = CSV.createParser(new Utf8LineReader(counted, limits.maxLineLength()))) {
            parser.enable(CsvParser.Feature.WRAP_AS_ARRAY);
            reading.read(parser);
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof Utf8LineReader.Problem problem) {
                    throw reading.at(problem);
                }
                if (t instanceof CopyingInputStream.TooLarge) {
                    throw new UploadTooLargeException(limits.maxBytes());
                }
            }
            throw e;
        }
        return reading.profile(counted.count());
    }

    /** The state of one reading. */
    private static final class Reading {

        private final String partitionColumn;
        private final Limits limits;
        private final List<String> header = new ArrayList<>();
        private final List<ColumnType> types = new ArrayList<>();
        private final TreeSet<String> partitions = new TreeSet<>();
        private int partitionIndex = -1;
        private boolean inHeader = true;
        private long rows;
        /** Line of the row being read, and values read of it. */
        private long rowLine = 1;
        private int index;
        /** Where the next value starts: an unclosed quote is reported there rather than at the end of the file. */
        private long valueLine = 1;

        Reading(String partitionColumn, Limits limits) {
            this.partitionColumn = partitionColumn;
            this.limits = limits;
        }

        void read(CsvParser parser) throws IOException {
            try {
                if (parser.nextToken() != JsonToken.START_ARRAY || parser.nextToken() != JsonToken.START_ARRAY) {
                    throw new InvalidCsvException(1, 0, null, "the file is empty; its first line must name the "
                            + "columns, separated by ','");
                }
                do {
                    rowLine = parser.currentLocation().getLineNr();
                    valueLine = rowLine;
                    index = 0;
                    JsonToken token;
                    while ((token = parser.nextToken()) == JsonToken.VALUE_STRING) {
                        index++;
                        String value = parser.getText();
                        if (inHeader) {
                            headerValue(value);
                        } else {
                            value(value);
                        }
                        valueLine = parser.currentLocation().getLineNr();
                    }
                    if (token != JsonToken.END_ARRAY) {
                        throw new IllegalStateException("unexpected " + token + " from the CSV parser");
                    }
                    endOfRow();
                } while (parser.nextToken() == JsonToken.START_ARRAY);
            } catch (StreamReadException e) {
                if (e.getCause() instanceof IOException cause) {
                    throw cause;
                }
                throw syntax(e);
            }
            if (rows == 0) {
                throw new InvalidCsvException(rowLine + 1, 0, null, "the file has a header but no rows");
            }
        }

        /** A value of the first line, which names the columns. */
        private void headerValue(String name) {
            if (index > limits.maxColumns()) {
                throw new InvalidCsvException(rowLine, index, null, "more than " + limits.maxColumns()
                        + " columns (trainyard.scheduler.datasets.max-columns)");
            }
            if (name.isBlank()) {
                throw new InvalidCsvException(rowLine, index, null, "the column has no name; the first line must "
                        + "name every column");
            }
            int earlier = header.indexOf(name);
            if (earlier >= 0) {
                throw new InvalidCsvException(rowLine, index, name, "the column name '" + name + "' appears twice "
                        + "(also column " + (earlier + 1) + "); column names must be distinct");
            }
            header.add(name);
            types.add(new ColumnType());
        }

        private void value(String value) {
            if (index > header.size()) {
                throw new InvalidCsvException(rowLine, index, null, "the row has more values than the header has "
                        + "columns (" + header.size() + ": " + String.join(", ", header) + ")");
            }
            types.get(index - 1).see(value);
            if (index - 1 == partitionIndex) {
                if (value.isEmpty()) {
                    throw new InvalidCsvException(rowLine, index, partitionColumn, "the partition column has no "
                            + "value; every row needs one");
                }
                if (partitions.add(value) && partitions.size() > limits.maxPartitions()) {
                    throw new InvalidCsvException(rowLine, index, partitionColumn, "the partition column has more "
                            + "than " + limits.maxPartitions() + " distinct values (trainyard.scheduler.datasets"
                            + ".max-partitions); partition by a column with fewer values");
                }
            }
        }

        private void endOfRow() {
            if (inHeader) {
                inHeader = false;
                if (partitionColumn != null) {
                    partitionIndex = header.indexOf(partitionColumn);
                    if (partitionIndex < 0) {
                        throw new InvalidRequestException("partitionColumn", "'" + partitionColumn + "' is not a "
                                + "column of the CSV; its columns: " + String.join(", ", header));
                    }
                }
                return;
            }
            if (index < header.size()) {
                if (index == 1 && types.get(0).lastWasEmpty) {
                    throw new InvalidCsvException(rowLine, 0, null, "the line is empty; remove empty lines");
                }
                throw new InvalidCsvException(rowLine, index + 1, header.get(index), "the row has " + index
                        + " value" + (index == 1 ? "" : "s") + ", the header has " + header.size() + " columns ("
                        + String.join(", ", header) + ")");
            }
            rows++;
        }

        /** A problem of the text, at the value the parser stopped in (the reader hands out what comes before). */
        InvalidCsvException at(Utf8LineReader.Problem problem) {
            if (problem.character() == 0) {
                return new InvalidCsvException(problem.line(), 0, null, problem.getMessage());
            }
            int column = index + 1;
            String name = !inHeader && column <= header.size() ? header.get(column - 1) : null;
            return new InvalidCsvException(problem.line(), column, name, problem.getMessage());
        }

        /** A quoting problem the parser found. */
        private InvalidCsvException syntax(StreamReadException e) {
            int column = index + 1;
            String name = column <= header.size() ? header.get(column - 1) : null;
            String message = e.getOriginalMessage();
            if (message.startsWith("Missing closing quote")) {
                return new InvalidCsvException(valueLine, column, name, "a quoted value is not closed: no '\"' "
                        + "ends it before the end of the file");
            }
            long line = e.getLocation() != null ? e.getLocation().getLineNr() : valueLine;
            String at = e.getLocation() != null ? " (character " + e.getLocation().getColumnNr() + ")" : "";
            if (message.contains("Expected column separator")) {
                return new InvalidCsvException(line, column, name, "a quoted value is followed by other text"
                        + at + "; after the closing '\"' comes ',' or the end of the line, and a '\"' inside a "
                        + "quoted value is written '\"\"'");
            }
            return new InvalidCsvException(line, column, name, message + at);
        }

        Profile profile(long bytes) {
            List<DatasetMeta.Column> columns = new ArrayList<>(header.size());
            for (int i = 0; i < header.size(); i++) {
                columns.add(new DatasetMeta.Column(header.get(i), types.get(i).type()));
            }
            return new Profile(rows, List.copyOf(columns), List.copyOf(partitions), bytes);
        }
    }

    /** The type a column can still be; empty values do not decide it. */
    private static final class ColumnType {

        private boolean number = true;
        private boolean date = true;
        private boolean seen;
        private boolean lastWasEmpty;

        void see(String value) {
            lastWasEmpty = value.isEmpty();
            if (value.isEmpty() || !(number || date)) {
                return;
            }
            seen = true;
            if (number && !NUMBER_VALUE.matcher(value).matches()) {
                number = false;
            }
            if (date && !isDate(value)) {
                date = false;
            }
        }

        String type() {
            if (!seen) {
                return STRING;
            }
            return number ? NUMBER : date ? DATE : STRING;
        }

        private static boolean isDate(String value) {
            if (value.length() < 10 || !DATE_VALUE.matcher(value).matches()) {
                return false;
            }
            try {
                LocalDate.parse(value.substring(0, 10));
                return true;
            } catch (DateTimeParseException e) {
                return false;
            }
        }
    }

    /** Counts and copies what is read through it; past the limit a read fails. */
    private static final class CopyingInputStream extends FilterInputStream {

        static final class TooLarge extends IOException {
        }

        private final OutputStream copy;
        private final long limit;
        private long count;

        CopyingInputStream(InputStream in, OutputStream copy, long limit) {
            super(in);
            this.copy = copy;
            this.limit = limit;
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
                if (count > limit) {
                    throw new TooLarge();
                }
                copy.write(buffer, offset, n);
            }
            return n;
        }
    }
}
