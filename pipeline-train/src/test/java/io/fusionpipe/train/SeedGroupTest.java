package io.fusionpipe.train;

import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.train.model.Variant;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Runs share a seed group exactly when their training differs in nothing but the seed. */
class SeedGroupTest {

    private static String group(Variant v, String dataset, String initFrom, String... sets) {
        ConfigLoader loader = ConfigLoader.fromClasspath().systemProperties(new Properties());
        for (String s : sets) {
            loader.set(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
        }
        FusionConfig config = loader.load();
        return TrainPipeline.seedGroup(config, v, dataset, initFrom);
    }

    @Test
    void theSeedTheSeedCountAndTheVariantListDoNotSplitAGroup() {
        String base = group(Variant.EARLY, "cards v1", null);
        assertEquals(base, group(Variant.EARLY, "cards v1", null, "train.seed=43"));
        assertEquals(base, group(Variant.EARLY, "cards v1", null, "train.seeds=3", "train.variants=[early]"));
    }

    @Test
    void anythingElseThatShapesTrainingDoes() {
        String base = group(Variant.EARLY, "cards v1", null);
        assertNotEquals(base, group(Variant.LATE, "cards v1", null));
        assertNotEquals(base, group(Variant.EARLY, "cards v2", null));
        assertNotEquals(base, group(Variant.EARLY, "cards v1", "cards-v1-early-x"));
        assertNotEquals(base, group(Variant.EARLY, "cards v1", null, "train.learning-rate=0.002"));
        assertNotEquals(base, group(Variant.EARLY, "cards v1", null, "train.model.hidden=64"));
        assertNotEquals(base, group(Variant.EARLY, "cards v1", null, "train.epochs=7"));
    }

    @Test
    void seedsAreForNewRunsOnly() {
        io.fusionpipe.testing.Cli.Run r = io.fusionpipe.testing.Cli.run("train", "--resume", "some-run", "--seeds", "2");
        assertEquals(2, r.code(), r.err());
        org.junit.jupiter.api.Assertions.assertTrue(r.err().contains("--seeds 2") && r.err().contains("--resume"), r.err());
    }
}
