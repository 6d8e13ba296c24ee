package dev.modelserving.akka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.pattern.Patterns;
import akka.testkit.javadsl.TestKit;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.data.WineRow;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.model.CurrentModel;
import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.Scored;
import dev.modelserving.model.ServingStats;
import dev.modelserving.proto.ModelDescriptor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The router and its per-dataType serving actors, with real models and real files. */
class ModelServingActorsTest {

    private static final Duration ASK = Duration.ofSeconds(20);
    private static final List<WineRow> WINES = ProjectData.wines();

    @TempDir
    Path tmp;

    @Test
    void eachDataTypeGoesToItsOwnActorAndModel() throws Exception {
        ActorSystem system = ActorSystem.create("routing");
        try {
            ActorRef manager = manager(system);
            ModelDescriptor red = ProjectModel.DECISION_TREE.descriptor("1").toBuilder().setDataType("red").build();
            ModelDescriptor white = ProjectModel.LINEAR_REGRESSION.descriptor("1").toBuilder().setDataType("white")
                    .build();
            assertThat(update(manager, red)).isInstanceOf(LoadOutcome.Loaded.class);
            assertThat(update(manager, white)).isInstanceOf(LoadOutcome.Loaded.class);

            assertThat(score(manager, "red", 0).model().name()).isEqualTo(red.getName());
            assertThat(score(manager, "white", 1).model().name()).isEqualTo(white.getName());
            assertThat(score(manager, "rose", 2).isSkipped()).isTrue();

            Map<String, ServingStats> all = ask(manager, ModelServingManager.GetAllStats.INSTANCE);
            assertThat(all).containsOnlyKeys("red", "white", "rose");
            assertThat(all.get("red").invocations()).isEqualTo(1);
            assertThat(all.get("rose").skipped()).isEqualTo(1);
            Map<String, CurrentModel> models = ask(manager, ModelServingManager.GetAllModels.INSTANCE);
            assertThat(models).containsOnlyKeys("red", "white");
            Optional<ServingStats> none = ask(manager, new ModelServingManager.GetStats("beer"));
            assertThat(none).isEmpty();
        } finally {
            TestKit.shutdownActorSystem(system);
        }
    }

    @Test
    void aNewActorSystemOnTheSameDirectoryHasTheModelAndTheStatisticsBack() throws Exception {
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("7");
        ServingStats before;
        ActorSystem first = ActorSystem.create("first");
        try {
            ActorRef manager = manager(first);
            update(manager, tree);
            for (int i = 0; i < 5; i++) {
                score(manager, "wine", i);
            }
            update(manager, new ModelMessage("wine", "not a descriptor".getBytes()));
            before = this.<Optional<ServingStats>>ask(manager, new ModelServingManager.GetStats("wine"))
                    .orElseThrow();
        } finally {
            TestKit.shutdownActorSystem(first);
        }
        Path saved = tmp.resolve("state").resolve("77696e65");
        assertThat(saved.resolve(SavedServing.MODEL_FILE)).exists();
        assertThat(saved.resolve(SavedServing.STATS_FILE)).exists();
        assertThat(Files.list(saved).map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));

        ActorSystem second = ActorSystem.create("second");
        try {
            ActorRef manager = manager(second);
            ServingStats after = this.<Optional<ServingStats>>ask(manager,
                    new ModelServingManager.GetStats("wine")).orElseThrow();
            assertThat(after.name()).isEqualTo(tree.getName());
            assertThat(after.version()).isEqualTo("7");
            assertThat(after.since()).isEqualTo(before.since());
            assertThat(after.invocations()).isEqualTo(5);
            assertThat(after.failedLoads()).isEqualTo(1);
            assertThat(after.lastLoadFailure()).isEqualTo(before.lastLoadFailure());
            assertThat(score(manager, "wine", 5).model().name()).isEqualTo(tree.getName());
        } finally {
            TestKit.shutdownActorSystem(second);
        }
    }

    @Test
    void aDataTypeTooLongForAFileNameIsSavedAndBroughtBackToo() throws Exception {
        String longType = "wine-" + "x".repeat(300);
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("3").toBuilder().setDataType(longType).build();
        ActorSystem first = ActorSystem.create("first-long");
        try {
            assertThat(update(manager(first), tree)).isInstanceOf(LoadOutcome.Loaded.class);
        } finally {
            TestKit.shutdownActorSystem(first);
        }
        assertThat(Files.list(tmp.resolve("state")).map(p -> p.getFileName().toString()))
                .anyMatch(n -> n.startsWith(SavedServing.HASHED) && n.length() < 255);

        ActorSystem second = ActorSystem.create("second-long");
        try {
            ActorRef manager = manager(second);
            assertThat(this.<Optional<ServingStats>>ask(manager, new ModelServingManager.GetStats(longType))
                    .orElseThrow().version()).isEqualTo("3");
            assertThat(score(manager, longType, 0).model().name()).isEqualTo(tree.getName());
        } finally {
            TestKit.shutdownActorSystem(second);
        }
    }

    @Test
    void aModelThatCannotBeSavedIsAnsweredWithTheFailureSoItsMessageIsAppliedAgain() throws Exception {
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        // a file where the dataType's directory would go: nothing can be saved under it
        Files.createDirectories(tmp.resolve("state"));
        Files.writeString(tmp.resolve("state").resolve(SavedServing.dirName("wine")), "in the way");
        ActorSystem system = ActorSystem.create("unsaved");
        try {
            ActorRef manager = manager(system);
            assertThatThrownBy(() -> update(manager, tree)).hasRootCauseInstanceOf(IOException.class);
        } finally {
            TestKit.shutdownActorSystem(system);
        }
    }

    @Test
    void recordsAndRefusedModelsOfMadeUpDataTypesMakeNoActorNorDirectoryAndARealModelServes() throws Exception {
        ActorSystem system = ActorSystem.create("bounded");
        try {
            ActorRef manager = manager(system, LoadingPolicy.defaults().withWorkDir(tmp).withMaxDataTypes(2));
            List<dev.modelserving.model.Features> junk = new java.util.ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                junk.add(WineFeatures.of(WINES.get(i % WINES.size()).toRecord("junk-" + i)));
            }
            List<Scored> skipped = ask(manager, new ModelServingActor.ScoreBatch(junk));
            assertThat(skipped).hasSize(2_000).allMatch(Scored::isSkipped);
            ModelDescriptor broken = ProjectModel.DECISION_TREE.descriptor("1").toBuilder().setDataType("fake")
                    .setData(com.google.protobuf.ByteString.copyFromUtf8("<PMML")).build();
            for (int i = 0; i < 5; i++) {
                assertThat(update(manager, broken.toBuilder().setDataType("fake-" + i).build()))
                        .isInstanceOf(LoadOutcome.Rejected.class);
            }
            ModelDescriptor beer = ProjectModel.DECISION_TREE.descriptor("1").toBuilder().setDataType("beer").build();
            assertThat(update(manager, beer)).isInstanceOf(LoadOutcome.Loaded.class);
            for (int i = 0; i < 50; i++) {
                assertThat(score(manager, "beer", i).isSkipped()).isFalse();
            }
            // only the accepted model has an actor, and a directory
            assertThat(system.actorSelection("/user/models/*").resolveOne(ASK).toCompletableFuture().get())
                    .isNotNull();
            await().atMost(ASK).untilAsserted(() -> {
                try (var dirs = Files.list(tmp.resolve("state"))) {
                    assertThat(dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()))
                            .containsExactly(SavedServing.dirName("beer"));
                }
            });
            Map<String, ServingStats> all = ask(manager, ModelServingManager.GetAllStats.INSTANCE);
            assertThat(all).containsKey("beer").hasSizeLessThanOrEqualTo(ModelRegistry.MAX_UNSERVED_DATA_TYPES + 2);
            Optional<ServingStats> fake = ask(manager, new ModelServingManager.GetStats("fake-4"));
            assertThat(fake.orElseThrow().failedLoads()).as("a refusal is counted").isEqualTo(1);

            // the second place, then no more: the cap's refusal says why
            ModelDescriptor ale = beer.toBuilder().setDataType("ale").build();
            assertThat(update(manager, ale)).isInstanceOf(LoadOutcome.Loaded.class);
            LoadOutcome full = update(manager, beer.toBuilder().setDataType("stout").build());
            assertThat(full).isInstanceOf(LoadOutcome.Rejected.class);
            assertThat(((LoadOutcome.Rejected) full).failure().reason())
                    .startsWith("this server already serves 2 dataTypes");
            // a removed model gives its place up
            assertThat(update(manager, new ModelMessage("ale", null))).isInstanceOf(LoadOutcome.Removed.class);
            assertThat(update(manager, beer.toBuilder().setDataType("stout").build()))
                    .isInstanceOf(LoadOutcome.Loaded.class);
            assertThat(score(manager, "stout", 0).isSkipped()).isFalse();
        } finally {
            TestKit.shutdownActorSystem(system);
        }
    }

    @Test
    void aGoodModelRightAfterARefusedFirstOneIsSavedAndComesBackAfterARestart() throws Exception {
        ModelDescriptor good = ProjectModel.DECISION_TREE.descriptor("2").toBuilder().setDataType("x").build();
        ModelDescriptor broken = good.toBuilder().setVersion("1")
                .setData(com.google.protobuf.ByteString.copyFromUtf8("<PMML")).build();
        ActorSystem first = ActorSystem.create("retire-race");
        try {
            ActorRef manager = manager(first);
            // the refused first model retires its actor; the good one comes while that actor deletes its files
            assertThat(update(manager, broken)).isInstanceOf(LoadOutcome.Rejected.class);
            assertThat(update(manager, good)).isInstanceOf(LoadOutcome.Loaded.class);
            assertThat(score(manager, "x", 0).model().version()).isEqualTo("2");
        } finally {
            TestKit.shutdownActorSystem(first);
        }
        ActorSystem second = ActorSystem.create("retire-race-again");
        try {
            ActorRef manager = manager(second);
            await().atMost(ASK).untilAsserted(() -> assertThat(score(manager, "x", 1).isSkipped()).isFalse());
            assertThat(score(manager, "x", 1).model().version()).isEqualTo("2");
        } finally {
            TestKit.shutdownActorSystem(second);
        }
    }

    private ActorRef manager(ActorSystem system) {
        return manager(system, LoadingPolicy.defaults().withWorkDir(tmp));
    }

    private ActorRef manager(ActorSystem system, LoadingPolicy policy) {
        ModelFactory factory = new ModelFactory(policy);
        return system.actorOf(ModelServingManager.props(() -> new ModelRegistry(factory),
                new java.util.concurrent.ConcurrentHashMap<>(), tmp.resolve("state"),
                new ServingMetrics(new SimpleMeterRegistry())), "models");
    }

    private LoadOutcome update(ActorRef manager, ModelDescriptor d) throws Exception {
        return update(manager, new ModelMessage(d.getDataType(), d.toByteArray()));
    }

    private LoadOutcome update(ActorRef manager, ModelMessage m) throws Exception {
        return ask(manager, new ModelServingActor.Update(m));
    }

    private Scored score(ActorRef manager, String dataType, int i) throws Exception {
        return ask(manager, new ModelServingActor.Score(WineFeatures.of(WINES.get(i).toRecord(dataType))));
    }

    @SuppressWarnings("unchecked")
    private <T> T ask(ActorRef actor, Object message) throws Exception {
        return (T) Patterns.ask(actor, message, ASK).toCompletableFuture().get();
    }
}
