package org.pgmigrate.cli.output;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Columns as az's {@code --output table} draws them (tabulate's "simple" format): a header, a dashed rule,
 * left-aligned cells two spaces apart, each column at least two characters wider than its header. Trailing spaces are
 * left out. Not thread-safe; build, then {@link #render()}.
 */
public final class Table {

    /** tabulate pads headers by two; with the two-space separator, az's columns never touch. */
    private static final int MIN_PADDING = 2;

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    private Table(List<String> headers) {
        this.headers = headers;
    }

    public static Table withColumns(String... headers) {
        return new Table(List.of(headers));
    }

    public Table row(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("Row has " + cells.length + " cells for " + headers.size() + " columns");
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "" : c.replace('\n', ' ')).toList());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The table, every line ending with a newline. */
    public String render() {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length() + MIN_PADDING;
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers, widths);
        line(out, Arrays.stream(widths).mapToObj("-"::repeat).toList(), widths);
        rows.forEach(row -> line(out, row, widths));
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                line.append("  ");
            }
            line.append(cells.get(i));
            if (i < cells.size() - 1) {
                line.append(" ".repeat(widths[i] - cells.get(i).length()));
            }
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }
}
