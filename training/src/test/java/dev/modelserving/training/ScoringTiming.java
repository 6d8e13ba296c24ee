package dev.modelserving.training;

import com.google.protobuf.ByteString;
import dev.modelserving.model.Features;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.proto.ModelDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Not a test: a rough timing of training and of single versus batched scoring, run by hand
 * ({@code java -cp <test classpath> dev.modelserving.training.ScoringTiming [workDir]}).
 */
public final class ScoringTiming {

    private ScoringTiming() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "target/timing");
        SyntheticWines wines = SyntheticWines.generate(1300, 11);
        for (int epochs : new int[] {50, 200}) {
            long start = System.nanoTime();
            TrainedMlp mlp = MlpTrainer.train(wines.features(), wines.quality(), 5, epochs);
            System.out.printf("train 1300 rows x %d epochs: %.1f s (loss %.4f)%n", epochs,
                    (System.nanoTime() - start) / 1e9, mlp.finalLoss());
        }
        TrainedMlp mlp = MlpTrainer.train(wines.features(), wines.quality(), 5, 20);
        mlp.writeFrozenGraph(work.resolve("wine.pb"));
        mlp.writeSavedModelZip(work.resolve("wine.zip"));
        List<Features> records = wines.records("wine").stream().map(WineFeatures::of).toList();
        ModelFactory factory = new ModelFactory(LoadingPolicy.defaults().withWorkDir(work.resolve("unpack")));
        for (String file : List.of("wine.pb", "wine.zip")) {
            byte[] bytes = Files.readAllBytes(work.resolve(file));
            try (Model model = factory.load(descriptor(bytes))) {
                for (int round = 0; round < 3; round++) {
                    System.out.printf("%s (%d bytes) round %d: single %.1f us/record, batch of 100 %.2f us/record,"
                            + " batch of 1300 %.2f us/record%n", file, bytes.length, round,
                            single(model, records), batched(model, records, 100), batched(model, records, 1300));
                }
            }
        }
    }

    private static ModelDescriptor descriptor(byte[] bytes) {
        return ModelDescriptor.newBuilder().setName("mlp").setVersion("1").setDataType("wine")
                .setModeltype(ModelDescriptor.ModelType.TENSORFLOW).setData(ByteString.copyFrom(bytes)).build();
    }

    private static double single(Model model, List<Features> records) {
        int n = 0;
        long start = System.nanoTime();
        for (int rep = 0; rep < 5; rep++) {
            for (Features r : records) {
                model.score(r);
                n++;
            }
        }
        return (System.nanoTime() - start) / 1e3 / n;
    }

    private static double batched(Model model, List<Features> records, int size) {
        int n = 0;
        long start = System.nanoTime();
        for (int rep = 0; rep < 20; rep++) {
            for (int i = 0; i + size <= records.size(); i += size) {
                n += model.scoreBatch(records.subList(i, i + size)).size();
            }
        }
        return (System.nanoTime() - start) / 1e3 / n;
    }
}
