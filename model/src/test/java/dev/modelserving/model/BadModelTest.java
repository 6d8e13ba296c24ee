package dev.modelserving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.modelserving.proto.ModelDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad model is refused with its reason, and the model serving before keeps serving. */
class BadModelTest {

    private static final Features WINE =
            WineFeatures.wine("wine", 7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4);

    @TempDir
    Path tmp;
    private Path root;
    private ModelRegistry registry;

    @BeforeEach
    void serveAGoodModel() throws Exception {
        root = Files.createDirectories(tmp.resolve("models"));
        LoadingPolicy policy = LoadingPolicy.defaults().withMaxModelBytes(16 * 1024).withModelRoots(List.of(root));
        registry = new ModelRegistry(new ModelFactory(policy));
        assertThat(registry.offer(Fixtures.pmmlResource("good", "1", Fixtures.ALCOHOL_LINEAR)))
                .isInstanceOf(LoadOutcome.Loaded.class);
    }

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void garbageBytesAreRefused() {
        byte[] garbage = new byte[512];
        new Random(1).nextBytes(garbage);
        assertRefused(Fixtures.pmml("garbage", "2", garbage), "not a usable PMML document");
    }

    @Test
    void emptyBytesAreRefused() {
        assertRefused(Fixtures.pmml("empty", "2", new byte[0]), "the model is empty");
    }

    @Test
    void aDescriptorWithoutContentIsRefused() {
        assertRefused(Fixtures.pmml("nothing", "2", new byte[0]).toBuilder().clearMessageContent().build(),
                "neither data nor a location");
    }

    @Test
    void externalEntitiesAreRefusedWithoutBeingRead() {
        assertRefused(Fixtures.pmmlResource("xxe", "2", "pmml/fixtures/xxe.pmml"), "DOCTYPE");
    }

    @Test
    void entityExpansionIsRefused() {
        assertRefused(Fixtures.pmmlResource("laughs", "2", "pmml/fixtures/billion-laughs.pmml"), "DOCTYPE");
    }

    @Test
    void modelsOverTheSizeCapAreRefusedBeforeParsing() {
        byte[] big = new byte[16 * 1024 + 1];
        assertRefused(Fixtures.pmml("big", "2", big), "16385 bytes, over the cap of 16384 bytes");
    }

    @Test
    void anUnknownModelTypeIsRefused() {
        ModelDescriptor d = Fixtures.pmmlResource("future", "2", Fixtures.ALCOHOL_LINEAR).toBuilder()
                .setModeltypeValue(7).build();
        assertRefused(d, "unknown model type 7");
    }

    @Test
    void aModelTypeThisBuildCannotLoadIsRefused() {
        ModelFactory pmmlOnly = new ModelFactory(LoadingPolicy.defaults(),
                List.of(new dev.modelserving.model.pmml.PmmlModelLoader()));
        registry = new ModelRegistry(pmmlOnly);
        registry.offer(Fixtures.pmmlResource("good", "1", Fixtures.ALCOHOL_LINEAR));
        ModelDescriptor tf = Fixtures.pmml("tf", "2", new byte[] {1}).toBuilder()
                .setModeltype(ModelDescriptor.ModelType.TENSORFLOW).build();
        assertRefused(tf, "this build cannot load TENSORFLOW models");
    }

    @Test
    void aRecordLackingAPmmlModelsInputFailsNamingTheInput() {
        byte[] bytes = new String(Fixtures.resource(Fixtures.ALCOHOL_LINEAR)).replace("volatile_acidity", "colour")
                .getBytes();
        double good = registry.score(WINE).prediction().value();
        assertThat(registry.offer(Fixtures.pmml("colour", "2", bytes))).isInstanceOf(LoadOutcome.Loaded.class);
        assertThat(registry.current("wine").orElseThrow().name()).isEqualTo("colour");
        assertThat(registry.current("wine").orElseThrow().sha256()).as("by value: the digest of the inline bytes")
                .isEqualTo(ModelDigest.sha256(bytes));
        Scored scored = registry.score(WINE);
        assertThat(scored.isFailed()).isTrue();
        assertThat(scored.error()).contains("the record lacks the model's inputs [colour]");
        java.util.Map<String, Object> withColour = new java.util.HashMap<>();
        WINE.names().forEach(name -> withColour.put(name, WINE.value(FeatureNames.key(name))));
        withColour.put("colour", WINE.value("volatileacidity"));
        assertThat(registry.score(Features.of("wine", withColour)).prediction().value()).isEqualTo(good);
    }

    @Test
    void byReferenceLoadsAFileUnderARootWithItsDigest() throws Exception {
        byte[] bytes = Fixtures.linearWithIntercept(50);
        Path file = Files.write(root.resolve("fifty.pmml"), bytes);

        LoadOutcome outcome = registry.offer(byReference("fifty", file.toString(), ModelDigest.sha256(bytes)));

        assertThat(outcome).isInstanceOf(LoadOutcome.Loaded.class);
        assertThat(registry.current("wine").orElseThrow().origin()).isEqualTo(file.toRealPath().toString());
        assertThat(registry.current("wine").orElseThrow().sha256()).isEqualTo(ModelDigest.sha256(bytes));
        assertThat(registry.score(WINE).model().sha256()).isEqualTo(ModelDigest.sha256(bytes));
        assertThat(registry.score(WINE).prediction().value()).isCloseTo(50 + 0.4 * 9.4 - 2 * 0.7, within(1e-9));
    }

    @Test
    void byReferenceOutsideTheRootsIsRefused() throws Exception {
        Path outside = Files.write(tmp.resolve("outside.pmml"), Fixtures.resource(Fixtures.ALCOHOL_LINEAR));
        assertRefused(byReference("outside", outside.toString(), ""), "is outside the model roots");
        assertRefused(byReference("dotdot", root + "/../outside.pmml", ""), "is outside the model roots");
        assertRefused(byReference("uri", outside.toUri().toString(), ""), "is outside the model roots");
    }

    @Test
    void aLocationOutsideTheRootsIsRefusedTheSameWayWhetherOrNotItExists() throws Exception {
        Path outside = Files.write(tmp.resolve("there.pmml"), Fixtures.resource(Fixtures.ALCOHOL_LINEAR));
        String there = refusal(byReference("there", outside.toString(), ""));
        String missing = refusal(byReference("there", tmp.resolve("missing.pmml").toString(), ""));
        String sneaky = refusal(byReference("there", root + "/../missing.pmml", ""));
        assertThat(there).isEqualTo("location '" + outside + "' is outside the model roots");
        assertThat(missing).isEqualTo("location '" + tmp.resolve("missing.pmml") + "' is outside the model roots");
        assertThat(sneaky).isEqualTo("location '" + root + "/../missing.pmml' is outside the model roots");
        // inside a root, a missing file is said to be missing
        assertThat(refusal(byReference("here", root.resolve("missing.pmml").toString(), ""))).endsWith("does not exist");
    }

    /** The reason the registry gives for refusing a descriptor. */
    private String refusal(ModelDescriptor d) {
        LoadOutcome outcome = registry.offer(d);
        assertThat(outcome).isInstanceOf(LoadOutcome.Rejected.class);
        return ((LoadOutcome.Rejected) outcome).failure().reason();
    }

    @Test
    void aLinkInsideARootPointingOutsideIsRefused() throws Exception {
        Path outside = Files.write(tmp.resolve("outside.pmml"), Fixtures.resource(Fixtures.ALCOHOL_LINEAR));
        Path link = Files.createSymbolicLink(root.resolve("link.pmml"), outside);
        assertRefused(byReference("link", link.toString(), ""), "is outside the model roots");
    }

    @Test
    void byReferenceWithAnotherSchemeIsRefused() {
        assertRefused(byReference("remote", "http://127.0.0.1:1/model.pmml", ""), "scheme 'http' is not allowed");
    }

    @Test
    void byReferenceWithAWrongDigestIsRefused() throws Exception {
        Path file = Files.write(root.resolve("m.pmml"), Fixtures.resource(Fixtures.ALCOHOL_LINEAR));
        assertRefused(byReference("tampered", file.toString(), "00".repeat(32)), "SHA-256 mismatch");
    }

    @Test
    void byReferenceOverTheSizeCapIsRefused() throws Exception {
        Path file = Files.write(root.resolve("big.pmml"), new byte[16 * 1024 + 1]);
        assertRefused(byReference("big", file.toString(), ""), "over the cap");
    }

    @Test
    void byReferenceIsOffWithoutRoots() {
        registry = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()));
        registry.offer(Fixtures.pmmlResource("good", "1", Fixtures.ALCOHOL_LINEAR));
        assertRefused(byReference("any", "/etc/hostname", ""), "by-reference models are off");
    }

    private static ModelDescriptor byReference(String name, String location, String sha256) {
        return ModelDescriptor.newBuilder().setName(name).setVersion("2").setDataType("wine")
                .setModeltype(ModelDescriptor.ModelType.PMML).setLocation(location).setSha256(sha256).build();
    }

    @Test
    void aModelWhoseLoadOverflowsTheStackIsRefusedAndThePreviousServesOn() {
        // a decision tree nested 300,000 levels deep (about 9 MB): whatever recurses over it runs out of stack
        int depth = 300_000;
        StringBuilder pmml = new StringBuilder("""
                <PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/><DataDictionary>\
                <DataField name="alcohol" optype="continuous" dataType="double"/>\
                <DataField name="quality" optype="continuous" dataType="double"/></DataDictionary>\
                <TreeModel functionName="regression"><MiningSchema><MiningField name="alcohol"/>\
                <MiningField name="quality" usageType="target"/></MiningSchema>""");
        for (int i = 0; i < depth; i++) {
            pmml.append("<Node score=\"5\"><True/>");
        }
        pmml.append("</Node>".repeat(depth)).append("</TreeModel></PMML>");
        try (ModelRegistry big = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults().withWorkDir(tmp)))) {
            assertThat(big.offer(Fixtures.pmmlResource("good", "1", Fixtures.ALCOHOL_LINEAR)))
                    .isInstanceOf(LoadOutcome.Loaded.class);

            LoadOutcome outcome = big.offer(Fixtures.pmml("deep", "2", pmml.toString().getBytes(StandardCharsets.UTF_8)));

            assertThat(outcome).isInstanceOf(LoadOutcome.Rejected.class);
            assertThat(outcome.message()).contains("StackOverflowError").endsWith("still serving 'good' v1");
            assertThat(big.score(WINE).model().name()).isEqualTo("good");
        }
    }

    private void assertRefused(ModelDescriptor bad, String reason) {
        long failuresBefore = registry.stats("wine").orElseThrow().failedLoads();

        LoadOutcome outcome = registry.offer(bad);

        assertThat(outcome).isInstanceOf(LoadOutcome.Rejected.class);
        assertThat(outcome.message()).contains("rejected: ").contains(reason).endsWith("still serving 'good' v1");
        ServingStats stats = registry.stats("wine").orElseThrow();
        assertThat(stats.failedLoads()).isEqualTo(failuresBefore + 1);
        assertThat(stats.lastLoadFailure().modelName()).isEqualTo(bad.getName());
        assertThat(stats.lastLoadFailure().reason()).contains(reason);
        assertThat(stats.name()).isEqualTo("good");
        Scored scored = registry.score(WINE);
        assertThat(scored.model().name()).isEqualTo("good");
        assertThat(scored.prediction().value()).isCloseTo(Fixtures.alcoholLinear(9.4, 0.7), within(1e-9));
    }

}
