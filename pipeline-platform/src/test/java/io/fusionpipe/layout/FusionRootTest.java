package io.fusionpipe.layout;

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
    void namesThatWouldEscapeOrBreakPathsAreRejected() {
        FusionRoot r = new FusionRoot("/data", "");
        for (String bad : new String[]{"..", "../x", "a/b", "", ".hidden", "-x", "a b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.dataset(bad), bad);
            assertTrue(e.getMessage().contains("dataset name"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> r.datasetVersion("ok", 0));
    }
}
