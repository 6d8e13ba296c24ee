package dev.modelserving.data;

import dev.modelserving.model.WineFeatures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The UCI wine-quality CSV format: {@code ;}-separated, a header of quoted column names, one wine per line,
 * quality last. Columns are found by name in any spelling (so {@code "fixed acidity"} and {@code fixed_acidity}
 * both work); a file without a quality column is fine for serving. Bad lines are reported with file, line and
 * column, and skipped (or, strict, stop the read).
 */
public final class WineCsv {

    public static final String QUALITY = "quality";

    private WineCsv() {}

    /** What a read produced: the good rows and the lines that were skipped. */
    public record Result(List<WineRow> rows, List<CsvProblem> skipped) {}

    /** Thrown for a missing or unusable header, or for the first bad line of a strict read. */
    public static final class CsvException extends RuntimeException {
        public CsvException(CsvProblem problem) {
            super(problem.toString());
        }
    }

    public static Result read(Reader in, String file, boolean strict) {
        try (BufferedReader lines = new BufferedReader(in)) {
            String header = lines.readLine();
            if (header == null) {
                throw new CsvException(new CsvProblem(file, 1, 0, "the file is empty (expected a header line)"));
            }
            Layout layout = Layout.of(header, file);
            List<WineRow> rows = new ArrayList<>();
            List<CsvProblem> skipped = new ArrayList<>();
            int number = 1;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    rows.add(layout.parse(line, file, number));
                } catch (CsvException e) {
                    if (strict) {
                        throw e;
                    }
                    skipped.add(layout.lastProblem);
                }
            }
            return new Result(List.copyOf(rows), List.copyOf(skipped));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes rows in the UCI format, quality last. */
    public static void write(List<WineRow> rows, Writer out) throws IOException {
        List<String> names = new ArrayList<>(WineFeatures.UCI_NAMES);
        names.add(QUALITY);
        out.write(names.stream().map(n -> '"' + n + '"').collect(Collectors.joining(";")));
        out.write('\n');
        for (WineRow row : rows) {
            out.write(Arrays.stream(row.features()).mapToObj(WineCsv::number).collect(Collectors.joining(";")));
            out.write(";" + row.quality() + "\n");
        }
    }

    private static String number(double v) {
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** Which CSV column holds which feature. */
    private static final class Layout {
        private final String[] names;
        private final int[] featureColumn = new int[WineFeatures.COUNT];
        private final int qualityColumn;
        private CsvProblem lastProblem;

        private Layout(String[] names, int qualityColumn) {
            this.names = names;
            this.qualityColumn = qualityColumn;
        }

        static Layout of(String header, String file) {
            String[] names = Arrays.stream(header.split(";", -1)).map(Layout::unquote).toArray(String[]::new);
            int quality = -1;
            int[] columns = new int[WineFeatures.COUNT];
            Arrays.fill(columns, -1);
            for (int c = 0; c < names.length; c++) {
                int column = c;
                if (names[c].toLowerCase(Locale.ROOT).equals(QUALITY)) {
                    quality = c;
                } else {
                    WineFeatures.indexOf(names[c]).ifPresentOrElse(i -> columns[i] = column, () -> {
                        throw new CsvException(new CsvProblem(file, 1, column + 1,
                                "unknown column '" + names[column] + "' (expected the UCI columns "
                                        + WineFeatures.UCI_NAMES + " and optionally quality)"));
                    });
                }
            }
            for (int i = 0; i < columns.length; i++) {
                if (columns[i] < 0) {
                    throw new CsvException(new CsvProblem(file, 1, 0,
                            "the header has no column '" + WineFeatures.UCI_NAMES.get(i) + "'"));
                }
            }
            Layout layout = new Layout(names, quality);
            System.arraycopy(columns, 0, layout.featureColumn, 0, columns.length);
            return layout;
        }

        WineRow parse(String line, String file, int number) {
            String[] cells = line.split(";", -1);
            if (cells.length != names.length) {
                throw fail(file, number, 0, "expected " + names.length + " columns, found " + cells.length);
            }
            double[] features = new double[WineFeatures.COUNT];
            for (int i = 0; i < features.length; i++) {
                features[i] = number(cells, featureColumn[i], file, number);
            }
            int quality = WineRow.NO_QUALITY;
            if (qualityColumn >= 0) {
                double q = number(cells, qualityColumn, file, number);
                if (q != Math.rint(q) || q < 0 || q > 10) {
                    throw fail(file, number, qualityColumn + 1, "quality '" + cells[qualityColumn].trim()
                            + "' is not a whole number from 0 to 10");
                }
                quality = (int) q;
            }
            return new WineRow(features, quality);
        }

        private double number(String[] cells, int column, String file, int line) {
            String cell = unquote(cells[column]);
            try {
                double v = Double.parseDouble(cell);
                if (!Double.isFinite(v)) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw fail(file, line, column + 1, "'" + cell + "' (" + names[column] + ") is not a number");
            }
        }

        private CsvException fail(String file, int line, int column, String message) {
            lastProblem = new CsvProblem(file, line, column, message);
            return new CsvException(lastProblem);
        }

        private static String unquote(String s) {
            String t = s.trim();
            return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
        }
    }
}
