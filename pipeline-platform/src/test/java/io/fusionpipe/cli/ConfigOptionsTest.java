package io.fusionpipe.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConfigOptionsTest {

    @Test
    void loadWithAppliesMoreOverridesOnceAndKeepsTheUsersOwn() {
        ConfigOptions options = new ConfigOptions();
        options.set("fusionpipe.root", "/data/a");
        options.set("fusionpipe.spark.master", "local[1]");
        assertEquals("/data/b", options.loadWith("fusionpipe.root=/data/b").config().getString("fusionpipe.root"), "wins over --set");
        assertEquals("local[2]", options.loadWith("fusionpipe.root=/data/b", "spark.master=local[2]").config().getString("fusionpipe.spark.master"));
        assertEquals("/data/a", options.load(null).config().getString("fusionpipe.root"), "not kept");
        assertEquals(List.of("fusionpipe.root=/data/a", "fusionpipe.spark.master=local[1]"), options.sets);
    }

    @Test
    void argsGiveAnotherCommandTheSameConfiguration() {
        ConfigOptions options = new ConfigOptions();
        options.files.add(java.nio.file.Path.of("a.conf"));
        options.root = "/data/r";
        options.set("spark.master", "local[1]");
        assertEquals(List.of("--config", "a.conf", "--root", "/data/r", "--set", "spark.master=local[1]"), options.args());
    }
}
