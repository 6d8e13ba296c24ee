package dev.modelserving.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChurnCsvTest {

    private static final String HEADER = "plan,region,tenure,monthly_charges,support_calls,paperless,churned";

    @Test
    void writesTheHeaderBooleansAndTwoDecimalsWithADotAndReadsThemBack() throws Exception {
        List<ChurnRow> rows = List.of(new ChurnRow("gold", "west", 40, 99.5, 0, true, false),
                new ChurnRow("basic", "south", 3, 29.99, 4, false, true));
        StringWriter out = new StringWriter();
        ChurnCsv.write(rows, out);

        assertThat(out).hasToString(HEADER + "\ngold,west,40,99.50,0,true,no\nbasic,south,3,29.99,4,false,yes\n");
        assertThat(ChurnCsv.read(new StringReader(out.toString()), "t.csv")).isEqualTo(rows);
    }

    @Test
    void theCommittedFileStartsWithTheHeader() {
        assertThat(ChurnCsv.HEADER).isEqualTo(HEADER);
        assertThat(new String(ProjectData.bytes(ProjectData.CHURN_CSV), StandardCharsets.UTF_8))
                .startsWith(HEADER + "\n");
    }

    @Test
    void aBadLineStopsTheReadNamingFileAndLine() {
        assertThatThrownBy(() -> read(HEADER + "\ngold,west,40,99.50,0,true,no\ngold,west,40,99.50,0,yes,no\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("t.csv:3: 'yes' is neither true nor false");
        assertThatThrownBy(() -> read(HEADER + "\nplatinum,west,40,99.50,0,true,no\n"))
                .hasMessage("t.csv:2: plan 'platinum' is not one of [basic, standard, gold]");
        assertThatThrownBy(() -> read(HEADER + "\ngold,west,40,99.50,0,true\n"))
                .hasMessage("t.csv:2: expected 7 columns, found 6");
        assertThatThrownBy(() -> read(HEADER + "\ngold,west,4x,99.50,0,true,no\n"))
                .hasMessage("t.csv:2: tenure '4x' is not a whole number");
        assertThatThrownBy(() -> read("plan;region\n")).hasMessageStartingWith("t.csv:1: expected the header");
    }

    @Test
    void valuesGiveEachInputByNameWithItsJavaType() {
        ChurnRow row = new ChurnRow("standard", "east", 12, 61.25, 2, true, true);

        assertThat(row.values()).containsExactly(entry("plan", "standard"), entry("region", "east"),
                entry("tenure", 12), entry("monthly_charges", 61.25), entry("support_calls", 2),
                entry("paperless", true));
        assertThat(row.label()).isEqualTo("yes");
    }

    private static List<ChurnRow> read(String text) {
        return ChurnCsv.read(new StringReader(text), "t.csv");
    }
}
