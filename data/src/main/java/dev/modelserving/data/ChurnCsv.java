package dev.modelserving.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The churn CSV: {@code ,}-separated, the header {@value #HEADER}, one customer per line, no quoting (no value
 * holds a comma). Booleans are {@code true}/{@code false}, the label {@code yes}/{@code no}, monthly charges have
 * two decimals with a {@code .} on every machine. A read is strict: the first bad line stops it, named by file and
 * line.
 */
public final class ChurnCsv {

    public static final String HEADER = String.join(",", ChurnRow.INPUTS) + "," + ChurnRow.CHURNED;

    private ChurnCsv() {}

    public static void write(List<ChurnRow> rows, Writer out) throws IOException {
        out.write(HEADER + "\n");
        for (ChurnRow r : rows) {
            out.write(String.join(",", r.plan(), r.region(), Integer.toString(r.tenure()),
                    String.format(Locale.ROOT, "%.2f", r.monthlyCharges()), Integer.toString(r.supportCalls()),
                    Boolean.toString(r.paperless()), r.label()) + "\n");
        }
    }

    /** Every row of a file written by {@link #write}; throws {@link IllegalArgumentException} at a bad line. */
    public static List<ChurnRow> read(Reader in, String file) {
        try (BufferedReader lines = new BufferedReader(in)) {
            String header = lines.readLine();
            if (!HEADER.equals(header)) {
                throw bad(file, 1, "expected the header " + HEADER + ", found " + header);
            }
            List<ChurnRow> rows = new ArrayList<>();
            int number = 1;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                number++;
                rows.add(parse(line, file, number));
            }
            return List.copyOf(rows);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static ChurnRow parse(String line, String file, int number) {
        String[] cells = line.split(",", -1);
        if (cells.length != 7) {
            throw bad(file, number, "expected 7 columns, found " + cells.length);
        }
        try {
            return new ChurnRow(cells[0], cells[1], whole(cells[2], ChurnRow.TENURE),
                    decimal(cells[3], ChurnRow.MONTHLY_CHARGES), whole(cells[4], ChurnRow.SUPPORT_CALLS),
                    bool(cells[5], "true", "false"), bool(cells[6], "yes", "no"));
        } catch (IllegalArgumentException e) {
            throw bad(file, number, e.getMessage());
        }
    }

    private static int whole(String cell, String column) {
        try {
            return Integer.parseInt(cell);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(column + " '" + cell + "' is not a whole number");
        }
    }

    private static double decimal(String cell, String column) {
        try {
            return Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(column + " '" + cell + "' is not a number");
        }
    }

    private static boolean bool(String cell, String yes, String no) {
        if (cell.equals(yes) || cell.equals(no)) {
            return cell.equals(yes);
        }
        throw new IllegalArgumentException("'" + cell + "' is neither " + yes + " nor " + no);
    }

    private static IllegalArgumentException bad(String file, int line, String message) {
        return new IllegalArgumentException(new CsvProblem(file, line, 0, message).toString());
    }
}
