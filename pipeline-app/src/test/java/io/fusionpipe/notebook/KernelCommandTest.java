package io.fusionpipe.notebook;

import io.fusionpipe.testing.Cli;
import io.fusionpipe.testing.TestRoots;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel refuses a connection file that would let it run unsigned (before, it started and served it). */
class KernelCommandTest {

    private static String connection(String key, String scheme) {
        return "{\"shell_port\": 50001, \"iopub_port\": 50002, \"stdin_port\": 50003, \"control_port\": 50004, \"hb_port\": 50005,"
                + " \"ip\": \"127.0.0.1\", \"key\": \"" + key + "\", \"transport\": \"tcp\", \"signature_scheme\": \"" + scheme + "\","
                + " \"kernel_name\": \"fusionpipe\"}";
    }

    @Test
    void anEmptyKeyOrAnUnsignedSchemeIsRefused() throws Exception {
        Path dir = TestRoots.newRoot("kernel");
        Path empty = Files.writeString(dir.resolve("empty-key.json"), connection("", "hmac-sha256"));
        Cli.Run run = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Cli.run("kernel", "--connection-file", empty.toString()),
                "the kernel started with an empty key instead of refusing it");
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("empty-key.json") && run.err().contains("\"key\" is empty"), run.err());

        Path none = Files.writeString(dir.resolve("no-scheme.json"), connection("0f3c9a", ""));
        Cli.Run unsigned = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Cli.run("kernel", "--connection-file", none.toString()));
        assertEquals(2, unsigned.code(), unsigned.err());
        assertTrue(unsigned.err().contains("not an HMAC scheme"), unsigned.err());
    }
}
