package io.fusionpipe.records;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/file-formats.md holds {@link RecordDocs#markdown()} between its markers. After changing a
 * record, regenerate it with {@code FP_UPDATE_DOCS=1 mvn -B -o test -pl pipeline-platform,pipeline-data
 * -Dtest=FileFormatsDocTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class FileFormatsDocTest {

    static final String BEGIN = "<!-- formats:begin (generated from io.fusionpipe.records by FileFormatsDocTest) -->\n";
    static final String END = "<!-- formats:end -->";

    @Test
    void theDocShowsWhatTheRecordsWrite() throws Exception {
        Path doc = Path.of(System.getProperty("fptest.project.dir", "..")).resolve("docs/file-formats.md");
        String text = Files.readString(doc);
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        assertTrue(b >= 0 && e > b, doc + " has no generated section (markers " + BEGIN.strip() + " ... " + END + ")");
        String generated = RecordDocs.markdown();
        String current = text.substring(b + BEGIN.length(), e);
        if ("1".equals(System.getenv("FP_UPDATE_DOCS"))) {
            Files.writeString(doc, text.substring(0, b + BEGIN.length()) + generated + text.substring(e));
            return;
        }
        assertEquals(generated, current, doc + " is out of date with the records: regenerate it (see this test's comment)");
    }
}
