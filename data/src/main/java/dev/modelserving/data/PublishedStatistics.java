package dev.modelserving.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The published summary statistics of the UCI red-wine-quality data set, read from
 * {@value #RESOURCE} (which names the source): per measurement column its mean, standard deviation, range and
 * correlation with quality, and the histogram of qualities. The one place the generator and its test take them from.
 *
 * @param columns the eleven measurements in the UCI order (WineRecord's field order)
 * @param quality the statistics of the quality column itself
 * @param qualityCounts quality to the number of wines that have it, ascending
 */
public record PublishedStatistics(List<Column> columns, Column quality, Map<Integer, Integer> qualityCounts) {

    public static final String RESOURCE = "/wine/uci-red-wine-statistics.csv";

    /** One column's published statistics. */
    public record Column(String name, double mean, double std, double min, double max, double correlationWithQuality) {}

    private static final PublishedStatistics RED_WINE = read();

    /** The statistics of the red wines (1,599 rows). */
    public static PublishedStatistics redWine() {
        return RED_WINE;
    }

    /** The number of wines the published figures describe. */
    public int wines() {
        return qualityCounts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static PublishedStatistics read() {
        List<List<String[]>> tables = tables();
        if (tables.size() != 2) {
            throw new IllegalStateException(RESOURCE + ": expected two tables (columns, quality histogram), found "
                    + tables.size());
        }
        List<Column> columns = new ArrayList<>();
        for (String[] row : tables.get(0)) {
            columns.add(new Column(row[0], number(row[1]), number(row[2]), number(row[3]), number(row[4]),
                    number(row[5])));
        }
        Column quality = columns.remove(columns.size() - 1);
        if (!quality.name().equals(WineCsv.QUALITY) || columns.size() != 11) {
            throw new IllegalStateException(RESOURCE + ": expected 11 measurement columns, then quality");
        }
        Map<Integer, Integer> counts = new LinkedHashMap<>();
        for (String[] row : tables.get(1)) {
            counts.put(Integer.parseInt(row[0]), Integer.parseInt(row[1]));
        }
        return new PublishedStatistics(List.copyOf(columns), quality, Collections.unmodifiableMap(counts));
    }

    /** The file's tables: blocks of {@code ;}-separated lines split by blank lines, each without its header line. */
    private static List<List<String[]>> tables() {
        InputStream in = PublishedStatistics.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IllegalStateException(RESOURCE + " is not on the class path");
        }
        List<List<String[]>> tables = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String[]> current = null;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("#")) {
                    continue;
                }
                if (line.isBlank()) {
                    current = null;
                } else if (current == null) {
                    current = new ArrayList<>(); // the header line names the columns; the data follows
                    tables.add(current);
                } else {
                    current.add(line.split(";"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tables;
    }

    private static double number(String s) {
        return Double.parseDouble(s.trim()); // locale-independent: '.' is the decimal point on every machine
    }
}
