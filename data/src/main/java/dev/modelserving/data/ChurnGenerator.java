package dev.modelserving.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic customer-churn table, drawn from the rules below (made up for this project: no real customers behind
 * them). Customers are drawn one after another from one seeded {@link Random}, each column in the order below and
 * the label last, so the same seed gives the same table.
 *
 * <ul>
 *   <li>{@code plan}: basic 45 %, standard 35 %, gold 20 %.
 *   <li>{@code region}: north 30 %, south 25 %, east 25 %, west 20 %.
 *   <li>{@code tenure} (months): {@code 1 + floor(Exponential(mean))}, mean 14 on basic, 22 on standard, 32 on
 *       gold, at most 72.
 *   <li>{@code monthly_charges}: the plan's price (30, 60, 95) plus {@code N(0, 6²)}, at least 15, two decimals.
 *   <li>{@code support_calls}: Poisson with mean 1.4.
 *   <li>{@code paperless}: true with probability 0.6.
 * </ul>
 *
 * <p>The label: {@code churned} is yes with probability {@code sigmoid(s)}, where
 * {@code s = -1.5 + plan + region + both - 0.07 (tenure - 20) + 0.01 (monthly_charges - 55)
 * + 0.5 (support_calls - 1.4) + 0.35 paperless}, with the plan's term basic +1.0, standard 0, gold -1.2, the
 * region's north -0.2, south +0.5, east 0, west -0.4, and {@code both} +1.0 for basic customers in the south and
 * -0.6 for gold customers in the west (so plan and region interact: a tree does better splitting on both). The
 * draw itself is the noise: no model can be sure of a customer. About 36 % of the customers churn.
 */
public final class ChurnGenerator {

    private static final double[] PLAN_SHARE = {0.45, 0.35, 0.20};
    private static final double[] REGION_SHARE = {0.30, 0.25, 0.25, 0.20};
    private static final double[] TENURE_MEAN = {14, 22, 32};
    private static final int MAX_TENURE = 72;
    private static final double[] PRICE = {30, 60, 95};
    private static final double PRICE_SPREAD = 6;
    private static final double MIN_CHARGES = 15;
    private static final double SUPPORT_CALLS_MEAN = 1.4;
    private static final double PAPERLESS_SHARE = 0.6;

    private static final double INTERCEPT = -1.5;
    private static final double[] PLAN_TERM = {1.0, 0, -1.2};
    private static final double[] REGION_TERM = {-0.2, 0.5, 0, -0.4};
    private static final double BASIC_SOUTH = 1.0;
    private static final double GOLD_WEST = -0.6;
    private static final double PER_MONTH = -0.07;
    private static final double PER_CURRENCY_UNIT = 0.01;
    private static final double PER_SUPPORT_CALL = 0.5;
    private static final double PAPERLESS_TERM = 0.35;

    private ChurnGenerator() {}

    /** {@code n} customers with their labels, the same for the same seed. */
    public static List<ChurnRow> generate(int n, long seed) {
        Random random = new Random(seed);
        List<ChurnRow> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int plan = pick(PLAN_SHARE, random.nextDouble());
            int region = pick(REGION_SHARE, random.nextDouble());
            int tenure = (int) Math.min(MAX_TENURE, 1 + Math.floor(-Math.log(1 - random.nextDouble())
                    * TENURE_MEAN[plan]));
            double charges = Math.round(Math.max(MIN_CHARGES, PRICE[plan] + PRICE_SPREAD * random.nextGaussian())
                    * 100) / 100.0;
            int calls = poisson(SUPPORT_CALLS_MEAN, random);
            boolean paperless = random.nextDouble() < PAPERLESS_SHARE;
            double s = INTERCEPT + PLAN_TERM[plan] + REGION_TERM[region] + both(plan, region)
                    + PER_MONTH * (tenure - 20) + PER_CURRENCY_UNIT * (charges - 55)
                    + PER_SUPPORT_CALL * (calls - SUPPORT_CALLS_MEAN) + (paperless ? PAPERLESS_TERM : 0);
            boolean churned = random.nextDouble() < 1 / (1 + Math.exp(-s));
            rows.add(new ChurnRow(ChurnRow.PLANS.get(plan), ChurnRow.REGIONS.get(region), tenure, charges, calls,
                    paperless, churned));
        }
        return rows;
    }

    private static double both(int plan, int region) {
        if (plan == 0 && region == 1) {
            return BASIC_SOUTH;
        }
        return plan == 2 && region == 3 ? GOLD_WEST : 0;
    }

    /** The index whose share holds {@code u} when the shares are laid end to end on [0, 1). */
    private static int pick(double[] shares, double u) {
        double cumulative = 0;
        for (int i = 0; i < shares.length - 1; i++) {
            cumulative += shares[i];
            if (u < cumulative) {
                return i;
            }
        }
        return shares.length - 1;
    }

    /** Knuth's method: count uniform draws until their product falls below {@code exp(-mean)}. */
    private static int poisson(double mean, Random random) {
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int k = 0;
        while (product > limit) {
            product *= random.nextDouble();
            k++;
        }
        return k;
    }
}
