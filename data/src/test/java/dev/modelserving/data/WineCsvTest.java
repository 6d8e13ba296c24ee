package dev.modelserving.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class WineCsvTest {

    private static final String UCI_HEADER = "\"fixed acidity\";\"volatile acidity\";\"citric acid\";\"residual sugar\";"
            + "\"chlorides\";\"free sulfur dioxide\";\"total sulfur dioxide\";\"density\";\"pH\";\"sulphates\";"
            + "\"alcohol\";\"quality\"";

    @Test
    void theUciHeaderWithSpacesMapsOntoTheRecordFields() {
        WineCsv.Result r = read(UCI_HEADER + "\n7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;9.4;5\n");

        assertThat(r.skipped()).isEmpty();
        assertThat(r.rows()).hasSize(1);
        var record = r.rows().get(0).toRecord("wine");
        assertThat(record.getFixedAcidity()).isEqualTo(7.4);
        assertThat(record.getVolatileAcidity()).isEqualTo(0.7);
        assertThat(record.getFreeSulfurDioxide()).isEqualTo(11);
        assertThat(record.getTotalSulfurDioxide()).isEqualTo(34);
        assertThat(record.getPH()).isEqualTo(3.51);
        assertThat(record.getAlcohol()).isEqualTo(9.4);
        assertThat(r.rows().get(0).quality()).isEqualTo(5);
    }

    @Test
    void anotherSpellingAndOrderOfTheColumnsAndNoQualityWork() {
        WineCsv.Result r = read("alcohol;fixed_acidity;volatileAcidity;citric_acid;residual sugar;chlorides;"
                + "free_sulfur_dioxide;total_sulfur_dioxide;density;PH;sulphates\n9.4;7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56\n");

        assertThat(r.rows()).hasSize(1);
        assertThat(r.rows().get(0).features()).containsExactly(7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4);
        assertThat(r.rows().get(0).hasQuality()).isFalse();
    }

    @Test
    void badLinesAreSkippedCountedAndReportedWithFileLineAndColumn() {
        WineCsv.Result r = read(UCI_HEADER + "\n"
                + "7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;9.4;5\n"
                + "7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;5\n"
                + "7.4;0.7;zero;1.9;0.076;11;34;0.9978;3.51;0.56;9.4;5\n"
                + "\n"
                + "7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;9.4;5.5\n"
                + "7.8;0.88;0;2.6;0.098;25;67;0.9968;3.2;0.68;9.8;5\n");

        assertThat(r.rows()).hasSize(2);
        assertThat(r.skipped()).extracting(CsvProblem::toString).containsExactly(
                "test.csv:3: expected 12 columns, found 11",
                "test.csv:4:3: 'zero' (citric acid) is not a number",
                "test.csv:6:12: quality '5.5' is not a whole number from 0 to 10");
    }

    @Test
    void aStrictReadStopsAtTheFirstBadLine() {
        assertThatThrownBy(() -> WineCsv.read(new StringReader(UCI_HEADER + "\n1;2;3\n"), "test.csv", true))
                .isInstanceOf(WineCsv.CsvException.class)
                .hasMessage("test.csv:2: expected 12 columns, found 3");
    }

    @Test
    void aHeaderWithoutAFeatureOrWithAnUnknownColumnIsRefused() {
        assertThatThrownBy(() -> read("alcohol;quality\n9.4;5\n"))
                .hasMessageStartingWith("test.csv:1: the header has no column 'fixed acidity'");
        assertThatThrownBy(() -> read(UCI_HEADER + ";colour\n"))
                .hasMessageStartingWith("test.csv:1:13: unknown column 'colour'");
        assertThatThrownBy(() -> read("")).hasMessage("test.csv:1: the file is empty (expected a header line)");
    }

    @Test
    void whatIsWrittenReadsBackTheSame() throws Exception {
        List<WineRow> wines = WineGenerator.generate(50, 3);
        StringWriter out = new StringWriter();
        WineCsv.write(wines, out);

        WineCsv.Result r = read(out.toString());

        assertThat(out.toString()).startsWith(UCI_HEADER + "\n");
        assertThat(r.rows()).hasSize(50);
        for (int i = 0; i < wines.size(); i++) {
            assertThat(r.rows().get(i).features()).containsExactly(wines.get(i).features());
            assertThat(r.rows().get(i).quality()).isEqualTo(wines.get(i).quality());
        }
    }

    private static WineCsv.Result read(String text) {
        return WineCsv.read(new StringReader(text), "test.csv", false);
    }
}
