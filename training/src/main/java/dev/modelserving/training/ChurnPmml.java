package dev.modelserving.training;

import dev.modelserving.data.ChurnRow;
import org.dmg.pmml.DataDictionary;
import org.dmg.pmml.DataField;
import org.dmg.pmml.DataType;
import org.dmg.pmml.MiningField;
import org.dmg.pmml.MiningSchema;
import org.dmg.pmml.OpType;
import org.dmg.pmml.Output;
import org.dmg.pmml.Value;

/**
 * The parts both churn PMML documents share: the data dictionary (plan and region categorical strings with their
 * values, paperless a categorical boolean, tenure and support_calls continuous integers, monthly_charges a
 * continuous double, the target churned a categorical string no/yes), the mining schema and the probability outputs.
 */
final class ChurnPmml {

    private ChurnPmml() {}

    static DataDictionary dictionary() {
        DataDictionary dictionary = new DataDictionary();
        for (int f = 0; f < ChurnFeatures.COUNT; f++) {
            DataField field = new DataField(ChurnFeatures.name(f),
                    ChurnFeatures.isCategorical(f) ? OpType.CATEGORICAL : OpType.CONTINUOUS, ChurnFeatures.dataType(f));
            if (ChurnFeatures.isCategorical(f)) {
                ChurnFeatures.categories(f).forEach(v -> field.addValues(new Value(v)));
            }
            dictionary.addDataFields(field);
        }
        DataField target = new DataField(ChurnRow.CHURNED, OpType.CATEGORICAL, DataType.STRING);
        ChurnRow.LABELS.forEach(v -> target.addValues(new Value(v)));
        return dictionary.addDataFields(target);
    }

    /** Every input, then the target. */
    static MiningSchema miningSchema() {
        MiningSchema schema = new MiningSchema();
        ChurnRow.INPUTS.forEach(name -> schema.addMiningFields(new MiningField(name)));
        return schema.addMiningFields(new MiningField(ChurnRow.CHURNED).setUsageType(MiningField.UsageType.TARGET));
    }

    /** probability(no) and probability(yes). */
    static Output probabilityOutputs() {
        return PmmlDocuments.probabilityOutputs(ChurnRow.LABELS);
    }
}
