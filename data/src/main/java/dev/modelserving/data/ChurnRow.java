package dev.modelserving.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One customer of the churn table: the plan, region, tenure, monthly charges, support calls and paperless billing
 * of a customer, and whether the customer churned.
 *
 * @param plan one of {@link #PLANS}
 * @param region one of {@link #REGIONS}
 * @param tenure months as a customer, at least 1
 * @param monthlyCharges the monthly bill, two decimals
 * @param supportCalls calls to support, at least 0
 * @param paperless whether the customer is billed without paper
 * @param churned whether the customer left (the label, written {@code yes}/{@code no})
 */
public record ChurnRow(String plan, String region, int tenure, double monthlyCharges, int supportCalls,
        boolean paperless, boolean churned) {

    public static final String PLAN = "plan";
    public static final String REGION = "region";
    public static final String TENURE = "tenure";
    public static final String MONTHLY_CHARGES = "monthly_charges";
    public static final String SUPPORT_CALLS = "support_calls";
    public static final String PAPERLESS = "paperless";
    public static final String CHURNED = "churned";

    /** The input columns in the CSV's order (the label, {@link #CHURNED}, comes after them). */
    public static final List<String> INPUTS = List.of(PLAN, REGION, TENURE, MONTHLY_CHARGES, SUPPORT_CALLS, PAPERLESS);
    public static final List<String> PLANS = List.of("basic", "standard", "gold");
    public static final List<String> REGIONS = List.of("north", "south", "east", "west");
    /** The label's values, class 0 first: {@code no} (stayed), {@code yes} (churned). */
    public static final List<String> LABELS = List.of("no", "yes");

    public ChurnRow {
        if (!PLANS.contains(plan)) {
            throw new IllegalArgumentException("plan '" + plan + "' is not one of " + PLANS);
        }
        if (!REGIONS.contains(region)) {
            throw new IllegalArgumentException("region '" + region + "' is not one of " + REGIONS);
        }
        if (tenure < 1 || supportCalls < 0 || !Double.isFinite(monthlyCharges) || monthlyCharges < 0) {
            throw new IllegalArgumentException("tenure " + tenure + ", support calls " + supportCalls
                    + ", monthly charges " + monthlyCharges + ": expected tenure >= 1 and the others >= 0");
        }
    }

    /** {@code yes} or {@code no}. */
    public String label() {
        return LABELS.get(churned ? 1 : 0);
    }

    /**
     * The inputs by column name, in the CSV's order: the plan and region as strings, tenure and support calls as
     * {@link Integer}, monthly charges as {@link Double}, paperless as {@link Boolean}.
     */
    public Map<String, Object> values() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(PLAN, plan);
        values.put(REGION, region);
        values.put(TENURE, tenure);
        values.put(MONTHLY_CHARGES, monthlyCharges);
        values.put(SUPPORT_CALLS, supportCalls);
        values.put(PAPERLESS, paperless);
        return values;
    }
}
