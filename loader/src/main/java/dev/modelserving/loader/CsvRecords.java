package dev.modelserving.loader;

import de.siegmar.fastcsv.reader.CloseableIterator;
import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import dev.modelserving.data.CsvProblem;
import dev.modelserving.kafka.RecordEncoder;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.model.FeatureNames;
import dev.modelserving.model.Features;
import dev.modelserving.model.WineFeatures;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Records from a CSV file with a header, read one row at a time through FastCSV, so a file of any size is never
 * held whole. Fields are separated by {@code ,} or {@code ;} (whichever the header line has more of) and may be
 * quoted. Each column has the kind of its first non-empty value: {@code true}/{@code false} (any case) a boolean,
 * a decimal number a number, anything else text; an empty cell is a feature the record does not have. A row with
 * the wrong number of cells, or a cell that does not fit its column, is a bad line, reported as
 * {@code file:line:column: what} and skipped (strict: the end of the read).
 *
 * <p>{@link #open} reads the file once to find the columns' kinds and the bad lines before anything is sent; the
 * records are then read again, as often as a run loops over them.
 */
final class CsvRecords {

    private static final int SHOWN_PROBLEMS = 10;

    /** Where the rows come from: a file, or a resource of the project. */
    record Source(String name, Opener opener) {

        interface Opener {
            InputStream open() throws IOException;
        }

        static Source file(Path file) {
            return new Source(file.toString(), () -> Files.newInputStream(file));
        }

        static Source resource(String resource) {
            return new Source(resource, () -> {
                InputStream in = CsvRecords.class.getClassLoader().getResourceAsStream(resource);
                if (in == null) {
                    throw new IOException("no resource " + resource);
                }
                return in;
            });
        }
    }

    /** A file that cannot be read as records: its first problem. */
    static final class CsvException extends Exception {
        final CsvProblem problem;

        CsvException(CsvProblem problem) {
            super(problem.toString());
            this.problem = problem;
        }
    }

    /** A value's kind, as a column's first non-empty value says. */
    private enum Kind {
        NUMBER("a number"), BOOLEAN("true or false"), TEXT("text");

        final String what;

        Kind(String what) {
            this.what = what;
        }

        static Kind of(String cell) {
            if (cell.equalsIgnoreCase("true") || cell.equalsIgnoreCase("false")) {
                return BOOLEAN;
            }
            return number(cell) != null ? NUMBER : TEXT;
        }
    }

    private final Source source;
    private final RecordFormat format;
    private final String dataType;
    private final char separator;
    private final List<String> header;
    private final Kind[] kinds;
    private final int[] wineColumns;
    private final List<CsvProblem> shown = new ArrayList<>();
    private long rows;
    private long skipped;

    private CsvRecords(Source source, RecordFormat format, String dataType, char separator, List<String> header) {
        this.source = source;
        this.format = format;
        this.dataType = dataType;
        this.separator = separator;
        this.header = header;
        this.kinds = new Kind[header.size()];
        this.wineColumns = new int[WineFeatures.COUNT];
    }

    /**
     * Reads the file once: its header, each column's kind, its good rows and bad lines.
     *
     * @throws CsvException when the header is unusable (or, strict, at the first bad line)
     */
    static CsvRecords open(Source source, RecordFormat format, String dataType, boolean strict)
            throws CsvException, IOException {
        return open(source, format, dataType, strict, Long.MAX_VALUE);
    }

    /** As {@link #open(Source, RecordFormat, String, boolean)}, reading no further than {@code maxRows} good rows. */
    static CsvRecords open(Source source, RecordFormat format, String dataType, boolean strict, long maxRows)
            throws CsvException, IOException {
        char separator = separator(source);
        CsvRecords records;
        try (CsvReader<CsvRecord> reader = reader(source, separator)) {
            Iterator<CsvRecord> it = reader.iterator();
            if (!it.hasNext()) {
                throw new CsvException(new CsvProblem(source.name(), 1, 0, "the file is empty (expected a header"
                        + " line)"));
            }
            CsvRecord first = it.next();
            records = new CsvRecords(source, format, dataType, separator,
                    first.getFields().stream().map(String::strip).toList());
            records.checkHeader();
            while (it.hasNext() && records.rows < maxRows) {
                CsvRecord row = it.next();
                try {
                    records.learn(row);
                    records.rows++;
                } catch (CsvException e) {
                    if (strict) {
                        throw e;
                    }
                }
            }
        } catch (CsvParseException e) {
            throw new CsvException(new CsvProblem(source.name(), 0, 0, "not a CSV file: " + e.getMessage()));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return records;
    }

    /** How many rows are records. */
    long rows() {
        return rows;
    }

    /** How many lines were bad. */
    long skipped() {
        return skipped;
    }

    /** The first bad lines and how many there were, for the console. */
    String describeSkipped() {
        StringBuilder out = new StringBuilder();
        shown.forEach(p -> out.append("  skipped ").append(p).append('\n'));
        if (skipped > shown.size()) {
            out.append("  ... and ").append(skipped - shown.size()).append(" more skipped lines\n");
        }
        return out.toString();
    }

    /** A good row as a record of named values, and the line it starts on. */
    record Row(long line, Features record) {}

    /** The first {@code max} good rows, as records of named values (whatever the format). */
    List<Row> firstRows(int max) throws IOException {
        List<Row> out = new ArrayList<>();
        try (CsvReader<CsvRecord> reader = reader(source, separator)) {
            Iterator<CsvRecord> it = reader.iterator();
            it.next(); // the header
            while (it.hasNext() && out.size() < max) {
                CsvRecord row = it.next();
                try {
                    Object[] values = values(row, false);
                    Map<String, Object> named = new LinkedHashMap<>();
                    for (int c = 0; c < values.length; c++) {
                        named.put(header.get(c), values[c]);
                    }
                    out.add(new Row(row.getStartingLineNumber(), Features.of(dataType, named)));
                } catch (CsvException e) {
                    // a bad line, reported by open
                }
            }
        }
        return out;
    }

    /** The records encoded in the format, in file order, from the top again after the last. */
    Looping looping() throws IOException {
        return new Looping();
    }

    /** The records as messages, read as they are sent; the bad lines, reported by {@link #open}, left out. */
    final class Looping implements Iterator<byte[]>, Closeable {

        private CsvReader<CsvRecord> reader;
        private CloseableIterator<CsvRecord> rowsLeft;

        private Looping() throws IOException {
            if (rows == 0) {
                throw new IllegalStateException(source.name() + " has no records");
            }
            reopen();
        }

        private void reopen() throws IOException {
            if (reader != null) {
                reader.close();
            }
            reader = reader(source, separator);
            rowsLeft = reader.iterator();
            rowsLeft.next(); // the header
        }

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public byte[] next() {
            try {
                while (true) {
                    if (!rowsLeft.hasNext()) {
                        reopen();
                    }
                    byte[] encoded = encode(rowsLeft.next());
                    if (encoded != null) {
                        return encoded;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + source.name() + " again: " + e.getMessage(), e);
            } catch (NoSuchElementException e) {
                throw new IllegalStateException(source.name() + " changed while it was read: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    private static CsvReader<CsvRecord> reader(Source source, char separator) throws IOException {
        return CsvReader.builder().fieldSeparator(separator).ignoreDifferentFieldCount(true).skipEmptyLines(true)
                .detectBomHeader(true).ofCsvRecord(source.opener().open(), StandardCharsets.UTF_8);
    }

    /** {@code ;} when the header line has more of them than commas, else {@code ,}. */
    private static char separator(Source source) throws IOException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(source.opener().open(),
                StandardCharsets.UTF_8))) {
            String line = in.readLine();
            if (line == null) {
                return ',';
            }
            return line.chars().filter(c -> c == ';').count() > line.chars().filter(c -> c == ',').count() ? ';' : ',';
        }
    }

    private void checkHeader() throws CsvException {
        Map<String, String> byKey = new HashMap<>();
        for (int c = 0; c < header.size(); c++) {
            String name = header.get(c);
            if (FeatureNames.key(name).isEmpty()) {
                throw new CsvException(new CsvProblem(source.name(), 1, c + 1, "column " + (c + 1)
                        + " has no name (a name needs a letter or digit)"));
            }
            String other = byKey.putIfAbsent(FeatureNames.key(name), name);
            if (other != null) {
                throw new CsvException(new CsvProblem(source.name(), 1, c + 1, "columns '" + other + "' and '" + name
                        + "' are the same feature (names match ignoring case, spaces and punctuation)"));
            }
        }
        if (format == RecordFormat.WINE) {
            Arrays.fill(wineColumns, -1);
            for (int c = 0; c < header.size(); c++) {
                int column = c;
                WineFeatures.indexOf(header.get(c)).ifPresent(i -> wineColumns[i] = column);
            }
            for (int i = 0; i < wineColumns.length; i++) {
                if (wineColumns[i] < 0) {
                    throw new CsvException(new CsvProblem(source.name(), 1, 0, "the header has no column '"
                            + WineFeatures.UCI_NAMES.get(i) + "' (a WineRecord needs the 11 UCI measurements;"
                            + " --format features or json take any columns)"));
                }
            }
        }
    }

    /** Checks a row of the first read, fixing the kinds of columns whose first value it holds. */
    private void learn(CsvRecord row) throws CsvException {
        try {
            values(row, true);
        } catch (CsvException e) {
            skipped++;
            if (shown.size() < SHOWN_PROBLEMS) {
                shown.add(e.problem);
            }
            throw e;
        }
    }

    /** A row's values by column (null: empty), each of its column's kind. */
    private Object[] values(CsvRecord row, boolean learning) throws CsvException {
        int line = (int) row.getStartingLineNumber();
        if (row.getFieldCount() != header.size()) {
            throw problem(line, 0, "expected " + header.size() + " columns, found " + row.getFieldCount());
        }
        Object[] values = new Object[header.size()];
        for (int c = 0; c < values.length; c++) {
            String cell = row.getField(c).strip();
            if (cell.isEmpty()) {
                continue;
            }
            if (kinds[c] == null && learning) {
                kinds[c] = Kind.of(cell);
            }
            Kind kind = kinds[c] == null ? Kind.of(cell) : kinds[c];
            values[c] = switch (kind) {
                case NUMBER -> number(cell);
                case BOOLEAN -> cell.equalsIgnoreCase("true") ? Boolean.TRUE
                        : cell.equalsIgnoreCase("false") ? Boolean.FALSE : null;
                case TEXT -> cell;
            };
            if (values[c] == null) {
                throw problem(line, c + 1, "'" + cell + "' (" + header.get(c) + ") is not " + kind.what);
            }
        }
        if (format == RecordFormat.WINE) {
            for (int i = 0; i < wineColumns.length; i++) {
                int c = wineColumns[i];
                if (!(values[c] instanceof Double)) {
                    throw problem(line, c + 1, values[c] == null ? "no value for '" + header.get(c) + "'"
                            : "'" + values[c] + "' (" + header.get(c) + ") is not a number");
                }
            }
        }
        return values;
    }

    /** A good row as a message in the format; null for a bad one (reported by the first read). */
    private byte[] encode(CsvRecord row) {
        Object[] values;
        try {
            values = values(row, false);
        } catch (CsvException e) {
            return null;
        }
        Map<String, Object> named = new LinkedHashMap<>(values.length * 2);
        for (int c = 0; c < values.length; c++) {
            if (values[c] != null && (format != RecordFormat.WINE || isWineColumn(c))) {
                named.put(header.get(c), values[c]);
            }
        }
        return RecordEncoder.encode(format, dataType, named);
    }

    private boolean isWineColumn(int column) {
        for (int c : wineColumns) {
            if (c == column) {
                return true;
            }
        }
        return false;
    }

    /** A decimal number ({@code 12}, {@code -0.5}, {@code 1e-3}), or null: not NaN, not hexadecimal. */
    private static Double number(String cell) {
        try {
            double v = new BigDecimal(cell).doubleValue();
            return Double.isFinite(v) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private CsvException problem(int line, int column, String message) {
        return new CsvException(new CsvProblem(source.name(), line, column, message));
    }
}
