package io.fusionpipe.ingest;

import io.fusionpipe.testing.TestRoots;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table of reject reasons in docs/ingest.md is the enum: every code with its meaning, nothing else. */
class ReadmeRejectReasonsTest {

    @Test
    void readmeListsEveryReasonWithItsMeaning() throws Exception {
        String readme = Files.readString(TestRoots.projectDir().resolve("docs/ingest.md"));
        String table = readme.substring(readme.indexOf("<!-- reasons:begin -->"), readme.indexOf("<!-- reasons:end -->"));
        for (RejectReason r : RejectReason.values()) {
            assertTrue(table.contains("| `" + r.code() + "` | " + r.meaning() + " |"), "docs/ingest.md lacks " + r.code());
        }
        assertEquals(RejectReason.values().length, table.lines().filter(l -> l.startsWith("| `")).count(), "no extra rows in the docs/ingest.md table");
    }
}
