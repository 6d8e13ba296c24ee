package dev.modelserving.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.proto.ModelDescriptor;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ProjectModelTest {

    @Test
    void theWineModelsServeWineWithTheTutorialsFieldsAndTheChurnModelsServeChurn() {
        assertThat(Stream.of(ProjectModel.values()).filter(m -> m.dataType.equals(ProjectData.DATA_TYPE)))
                .containsExactly(ProjectModel.LINEAR_REGRESSION, ProjectModel.DECISION_TREE,
                        ProjectModel.MLP_FROZEN_GRAPH, ProjectModel.MLP_SAVED_MODEL)
                .allSatisfy(m -> {
                    assertThat(m.inputs()).isEmpty();
                    assertThat(m.tfOutput).isEmpty();
                    assertThat(m.modelName()).startsWith("wine-");
                });
        assertThat(Stream.of(ProjectModel.values()).filter(m -> m.dataType.equals(ProjectData.CHURN_DATA_TYPE)))
                .containsExactly(ProjectModel.CHURN_DECISION_TREE, ProjectModel.CHURN_LOGISTIC_REGRESSION,
                        ProjectModel.CHURN_MLP)
                .allSatisfy(m -> assertThat(m.modelName()).startsWith("churn-"));
        assertThat(ProjectModel.CHURN_MLP.inputs())
                .containsExactly("tenure", "monthly_charges", "support_calls", "paperless");
    }

    @Test
    void aDescriptorCarriesTheModelsDataTypeAndOutputTensor() {
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        assertThat(tree.getDataType()).isEqualTo("wine");
        assertThat(tree.getTfOutput()).isEmpty();
        ModelDescriptor mlp = ProjectModel.CHURN_MLP.descriptor("2");
        assertThat(List.of(mlp.getDataType(), mlp.getTfOutput(), mlp.getName(), mlp.getVersion()))
                .containsExactly("churn", "dense_3/Softmax", "churn-mlp", "2");
        assertThat(mlp.getModeltype()).isEqualTo(ModelDescriptor.ModelType.TENSORFLOW);
        assertThat(mlp.getTfFormat()).isEqualTo(ModelDescriptor.TensorflowFormat.FROZEN_GRAPH);
        assertThat(mlp.getData().toByteArray()).isEqualTo(ProjectModel.CHURN_MLP.bytes());
    }
}
