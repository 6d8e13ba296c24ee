package dev.modelserving.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ChurnGeneratorTest {

    private static final List<ChurnRow> CUSTOMERS = ChurnGenerator.generate(ProjectData.CHURN_ROWS,
            ProjectData.CHURN_SEED);

    @Test
    void theSameSeedGivesTheSameCustomersAndTheCommittedCsvHoldsThem() {
        assertThat(ChurnGenerator.generate(ProjectData.CHURN_ROWS, ProjectData.CHURN_SEED)).isEqualTo(CUSTOMERS);
        assertThat(ChurnGenerator.generate(100, ProjectData.CHURN_SEED + 1)).isNotEqualTo(CUSTOMERS.subList(0, 100));
        assertThat(ProjectData.churnRows()).isEqualTo(CUSTOMERS);
    }

    @Test
    void everyColumnStaysInItsRange() {
        assertThat(CUSTOMERS).hasSize(5000).allSatisfy(c -> {
            assertThat(c.tenure()).isBetween(1, 72);
            assertThat(c.monthlyCharges()).isGreaterThanOrEqualTo(15).isEqualTo(Math.round(c.monthlyCharges() * 100)
                    / 100.0);
            assertThat(c.supportCalls()).isGreaterThanOrEqualTo(0);
        });
        assertThat(CUSTOMERS).extracting(ChurnRow::plan).containsOnlyElementsOf(ChurnRow.PLANS)
                .containsAll(ChurnRow.PLANS);
        assertThat(CUSTOMERS).extracting(ChurnRow::region).containsOnlyElementsOf(ChurnRow.REGIONS)
                .containsAll(ChurnRow.REGIONS);
        assertThat(share(c -> c.plan().equals("basic"), CUSTOMERS)).isCloseTo(0.45, within(0.03));
        assertThat(share(ChurnRow::paperless, CUSTOMERS)).isCloseTo(0.6, within(0.03));
        assertThat(CUSTOMERS.stream().mapToInt(ChurnRow::supportCalls).average().orElseThrow())
                .isCloseTo(1.4, within(0.1));
    }

    @Test
    void churnFollowsPlanRegionTenureAndSupportCallsAsDocumented() {
        assertThat(churnRate(c -> true)).isCloseTo(0.36, within(0.03));
        // basic customers in the south churn most (plan, region and their interaction add up), gold ones least
        assertThat(churnRate(c -> c.plan().equals("basic") && c.region().equals("south")))
                .isGreaterThan(churnRate(c -> c.plan().equals("basic") && !c.region().equals("south")) + 0.15);
        assertThat(churnRate(c -> c.plan().equals("basic"))).isGreaterThan(churnRate(c -> c.plan().equals("gold"))
                + 0.2);
        assertThat(churnRate(c -> c.tenure() <= 6)).isGreaterThan(churnRate(c -> c.tenure() > 36) + 0.3);
        assertThat(churnRate(c -> c.supportCalls() >= 3)).isGreaterThan(churnRate(c -> c.supportCalls() == 0) + 0.15);
    }

    private static double churnRate(Predicate<ChurnRow> which) {
        return share(ChurnRow::churned, CUSTOMERS.stream().filter(which).toList());
    }

    private static double share(Predicate<ChurnRow> which, List<ChurnRow> rows) {
        return (double) rows.stream().filter(which).count() / rows.size();
    }
}
