package dev.modelserving.loader;

import dev.modelserving.data.CsvProblem;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.WineCsv;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The wine CSV the loader publishes: a user's file (the real UCI one works) or the project's generated one. */
final class WineFile {

    private WineFile() {}

    /** Reads the whole file up front, so a strict read fails before anything is sent. */
    static WineCsv.Result read(Path file, boolean strict) throws IOException {
        if (file == null) {
            try (InputStream in = WineFile.class.getClassLoader().getResourceAsStream(ProjectData.WINE_CSV)) {
                return WineCsv.read(new InputStreamReader(in, StandardCharsets.UTF_8), ProjectData.WINE_CSV, strict);
            }
        }
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return WineCsv.read(in, file.toString(), strict);
        }
    }

    /** The first problems and how many there were, for the console. */
    static String describe(List<CsvProblem> skipped, int shown) {
        StringBuilder out = new StringBuilder();
        skipped.stream().limit(shown).forEach(p -> out.append("  skipped ").append(p).append('\n'));
        if (skipped.size() > shown) {
            out.append("  ... and ").append(skipped.size() - shown).append(" more skipped lines\n");
        }
        return out.toString();
    }
}
