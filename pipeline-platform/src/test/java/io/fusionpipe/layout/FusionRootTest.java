package io.fusionpipe.layout;

import io.fusionpipe.config.ConfigValidationException;
import org.junit.jupiter.api.Test;

import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FusionRootTest {

    @Test
    void localRootIsAbsoluteWithScratchInsideIt() {
        FusionRoot r = new FusionRoot("./work", "");
        assertTrue(r.isLocal());
        assertEquals(Paths.get("work").toAbsolutePath().toUri().toString().replaceAll("/$", ""),
                r.root().toUri().toString().replaceAll("/$", ""));
        assertEquals(Paths.get("work", "tmp").toAbsolutePath(), r.scratch());
        assertTrue(r.datasetVersion("cards", 3).toString().endsWith("/work/datasets/cards/v3"), r.datasetVersion("cards", 3).toString());
        assertTrue(r.run("r-1").toString().endsWith("/work/runs/r-1"));
        assertTrue(r.eval("e1").toString().endsWith("/work/evals/e1"));
        assertTrue(r.registry().toString().endsWith("/work/registry"));
    }

    @Test
    void remoteRootKeepsItsSchemeAndScratchStaysLocal() {
        FusionRoot r = new FusionRoot("hdfs://nn:8020/fp", "");
        assertFalse(r.isLocal());
        assertEquals("hdfs://nn:8020/fp/datasets/cards/v1", r.datasetVersion("cards", 1).toString());
        assertFalse(r.scratch().toString().startsWith("hdfs"), r.scratch().toString());
        assertTrue(r.scratch().getFileName().toString().startsWith("fusionpipe-"));
        assertEquals(Paths.get("/tmp/x").toAbsolutePath(), new FusionRoot("s3a://bucket/fp", "/tmp/x").scratch());
    }

    @Test
    void anS3aRootWithoutTheConnectorFailsNamingTheKeyAndWhatToAdd() {
        ConfigValidationException e = assertThrows(ConfigValidationException.class,
                () -> FusionRoot.requireConnector("s3a://bucket/fp", "--set", "org.example.NoSuchFileSystem"));
        String m = e.getMessage();
        assertTrue(m.contains("fusionpipe.root = s3a://bucket/fp (from --set)"), m);
        assertTrue(m.contains("org.apache.hadoop:hadoop-aws:" + org.apache.hadoop.util.VersionInfo.getVersion()), m);
        assertTrue(m.contains("-Ps3") && m.contains("docs/storage.md"), m);
        FusionRoot.requireConnector("s3a://bucket/fp", "--set", FusionRoot.class.getName()); // connector present
        FusionRoot.requireConnector("hdfs://nn:8020/fp", "--set", "org.example.NoSuchFileSystem"); // not needed
        ConfigValidationException s3 = assertThrows(ConfigValidationException.class,
                () -> FusionRoot.requireConnector("s3://bucket/fp", "--set", FusionRoot.class.getName()));
        assertTrue(s3.getMessage().contains("write s3a://bucket/fp"), s3.getMessage());
    }

    @Test
    void namesThatWouldEscapeOrBreakPathsAreRejected() {
        FusionRoot r = new FusionRoot("/data", "");
        for (String bad : new String[]{"..", "../x", "a/b", "", ".hidden", "-x", "a b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.dataset(bad), bad);
            assertTrue(e.getMessage().contains("dataset name"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> r.datasetVersion("ok", 0));
    }
}
