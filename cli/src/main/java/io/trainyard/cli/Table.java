package io.trainyard.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
final class Table {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<Integer> separators = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    Table row(Object... cells) {
        rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : c.toString()).toList());
        return this;
    }

    /** A rule before the next row. */
    Table rule() {
        separators.add(rows.size());
        return this;
    }

    int size() {
        return rows.size();
    }

    void print(PrintWriter out) {
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], i < row.size() ? row.get(i).length() : 0);
            }
        }
        out.println(line(header, widths, false));
        for (int r = 0; r < rows.size(); r++) {
            if (separators.contains(r)) {
                StringBuilder rule = new StringBuilder();
                for (int i = 0; i < widths.length; i++) {
                    rule.append(i == 0 ? "" : "  ").append("-".repeat(widths[i]));
                }
                out.println(rule);
            }
            out.println(line(rows.get(r), widths, true));
        }
        out.flush();
    }

    private static String line(List<String> cells, int[] widths, boolean align) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            String cell = i < cells.size() ? cells.get(i) : "";
            if (i > 0) {
                line.append("  ");
            }
            boolean right = align && cell.matches("-?[0-9][0-9.,e+-]*%?");
            String pad = " ".repeat(widths[i] - cell.length());
            line.append(right ? pad + cell : (i == widths.length - 1 ? cell : cell + pad));
        }
        return line.toString().stripTrailing();
    }

    /** A number with 4 significant decimals, or "-". */
    static String number(Double value) {
        if (value == null || value.isNaN()) {
            return "-";
        }
        double abs = Math.abs(value);
        if (abs != 0 && (abs >= 1e7 || abs < 1e-3)) {
            return String.format(java.util.Locale.ROOT, "%.4g", value);
        }
        return String.format(java.util.Locale.ROOT, "%.4f", value);
    }

    /** A duration in seconds as 1h02m03s, 2m03s or 4.2s. */
    static String seconds(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(java.util.Locale.ROOT, "%dh%02dm%02ds", s / 3600, s % 3600 / 60, s % 60);
        }
        if (s >= 60) {
            return String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(java.util.Locale.ROOT, "%.1fs", seconds);
    }
}
