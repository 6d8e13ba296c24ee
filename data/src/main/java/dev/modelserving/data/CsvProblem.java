package dev.modelserving.data;

/**
 * A line of a CSV (wine or churn) that could not be read.
 *
 * @param file the file (or resource) name
 * @param line 1-based line number
 * @param column 1-based column number, 0 when the problem is the whole line
 * @param message what is wrong
 */
public record CsvProblem(String file, int line, int column, String message) {

    @Override
    public String toString() {
        return file + ":" + line + (column > 0 ? ":" + column : "") + ": " + message;
    }
}
