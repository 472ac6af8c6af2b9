package io.trainyard.scheduler.service;

/**
 * An uploaded CSV that cannot be a dataset, and where (answered as 400).
 *
 * @see Utf8LineReader
 */
public class InvalidCsvException extends RuntimeException {

    private final long line;
    private final long column;
    private final String columnName;
    private final String problem;

    /**
     * @param line       1-based line of the file
     * @param column     1-based column (value of the row), 0 when the problem is the whole line
     * @param columnName the header's name of that column, null when unknown
     * @param problem    what is wrong and what to do about it
     */
    public InvalidCsvException(long line, long column, String columnName, String problem) {
        super("line " + line + (column > 0 ? ", column " + column : "")
                + (columnName != null ? " (" + columnName + ")" : "") + ": " + problem);
        this.line = line;
        this.column = column;
        this.columnName = columnName;
        this.problem = problem;
    }

    public long line() {
        return line;
    }

    public long column() {
        return column;
    }

    public String columnName() {
        return columnName;
    }

    public String problem() {
        return problem;
    }
}
