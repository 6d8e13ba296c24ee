package dev.modelserving.training;

import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.WineRecord;
import jakarta.xml.bind.JAXBException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.dmg.pmml.Application;
import org.dmg.pmml.DataDictionary;
import org.dmg.pmml.DataField;
import org.dmg.pmml.DataType;
import org.dmg.pmml.Header;
import org.dmg.pmml.MiningField;
import org.dmg.pmml.MiningSchema;
import org.dmg.pmml.Model;
import org.dmg.pmml.OpType;
import org.dmg.pmml.Output;
import org.dmg.pmml.OutputField;
import org.dmg.pmml.ResultFeature;
import org.dmg.pmml.PMML;
import org.dmg.pmml.Value;
import org.dmg.pmml.Version;
import org.jpmml.model.JAXBSerializer;

/** The parts every PMML document of the project shares: data dictionary, mining schema, header, writing. */
public final class PmmlDocuments {

    static final String TARGET = "quality";

    private PmmlDocuments() {}

    /** fixed_acidity, volatile_acidity, ..., pH, sulphates, alcohol: WineRecord's own field names. */
    static List<String> protoFieldNames() {
        return WineRecord.getDescriptor().getFields().subList(0, WineFeatures.COUNT).stream()
                .map(FieldDescriptor::getName).toList();
    }

    static DataField continuousQuality() {
        return new DataField(TARGET, OpType.CONTINUOUS, DataType.DOUBLE);
    }

    static DataField categoricalQuality(List<Integer> classes) {
        DataField field = new DataField(TARGET, OpType.CATEGORICAL, DataType.INTEGER);
        classes.forEach(c -> field.addValues(new Value(c)));
        return field;
    }

    /** probability(c) for every class, as Spark ML's PMML export declares them. */
    static Output probabilityOutputs(List<?> classes) {
        Output output = new Output();
        classes.forEach(c -> output.addOutputFields(
                new OutputField("probability(" + c + ")", OpType.CONTINUOUS, DataType.DOUBLE)
                        .setResultFeature(ResultFeature.PROBABILITY).setValue(c)));
        return output;
    }

    static MiningSchema miningSchema(List<String> inputs) {
        MiningSchema schema = new MiningSchema();
        inputs.forEach(name -> schema.addMiningFields(new MiningField(name)));
        return schema.addMiningFields(new MiningField(TARGET).setUsageType(MiningField.UsageType.TARGET));
    }

    static PMML document(String description, List<String> inputs, DataField target, Model model) {
        DataDictionary dictionary = new DataDictionary();
        inputs.forEach(name -> dictionary.addDataFields(new DataField(name, OpType.CONTINUOUS, DataType.DOUBLE)));
        dictionary.addDataFields(target);
        return document(description, dictionary, model);
    }

    /** A PMML 4.4 document of one model with the project's header. */
    static PMML document(String description, DataDictionary dictionary, Model model) {
        Header header = new Header().setDescription(description)
                .setApplication(new Application("model-serving data trainer"));
        return new PMML(Version.PMML_4_4.getVersion(), header, dictionary).addModels(model);
    }

    public static void write(PMML pmml, OutputStream out) throws IOException {
        try {
            new JAXBSerializer().serializePretty(pmml, out);
        } catch (JAXBException e) {
            throw new IOException("cannot write PMML: " + e, e);
        }
    }
}
