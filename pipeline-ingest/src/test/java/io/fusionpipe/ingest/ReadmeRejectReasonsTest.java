package io.fusionpipe.ingest;

import io.fusionpipe.testing.TestRoots;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's table of reject reasons is the enum: every code with its meaning, nothing else. */
class ReadmeRejectReasonsTest {

    @Test
    void readmeListsEveryReasonWithItsMeaning() throws Exception {
        String readme = Files.readString(TestRoots.projectDir().resolve("README.md"));
        String table = readme.substring(readme.indexOf("<!-- reasons:begin -->"), readme.indexOf("<!-- reasons:end -->"));
        for (RejectReason r : RejectReason.values()) {
            assertTrue(table.contains("| `" + r.code() + "` | " + r.meaning() + " |"), "README lacks " + r.code());
        }
        assertEquals(RejectReason.values().length, table.lines().filter(l -> l.startsWith("| `")).count(), "no extra rows in the README table");
    }
}
