package io.fusionpipe.notebook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Where a notebook's root comes from when Jupyter starts the kernel in notebooks/. */
class NotebookConfigTest {

    @TempDir
    Path home;

    private String root(Map<String, String> env) {
        return NotebookConfig.load(env).config().getString("fusionpipe.root");
    }

    @Test
    void aRelativeRootOfTheBaseConfigIsTakenFromTheProjectDirectory() throws Exception {
        Path conf = Files.writeString(home.resolve("application.conf"), "fusionpipe.root = \"./work\"\n");
        Map<String, String> env = Map.of("FUSIONPIPE_DEFAULT_CONFIG", conf.toString(), "FUSIONPIPE_HOME", home.toString());
        assertEquals(home.resolve("work").toString(), root(env));
        assertEquals("/data/fp", root(Map.of("FUSIONPIPE_DEFAULT_CONFIG", conf.toString(), "FUSIONPIPE_HOME", home.toString(),
                "FUSIONPIPE_ROOT", "/data/fp")), "FUSIONPIPE_ROOT wins");
        Path remote = Files.writeString(home.resolve("hdfs.conf"), "fusionpipe.root = \"hdfs://nn:8020/fp\"\n");
        assertEquals("hdfs://nn:8020/fp", root(Map.of("FUSIONPIPE_DEFAULT_CONFIG", remote.toString(), "FUSIONPIPE_HOME", home.toString())));
    }

    @Test
    void notebooksRunOnTwoLocalCoresQuietly() {
        var c = NotebookConfig.load(Map.of("FUSIONPIPE_ROOT", home.toString())).config();
        assertEquals("local[2]", c.getString("fusionpipe.spark.master"));
        assertEquals("ERROR", c.getString("fusionpipe.spark.log-level"));
    }
}
