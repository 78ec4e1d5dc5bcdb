package io.fusionpipe.ingest.image;

import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.RejectReason;
import io.fusionpipe.ingest.Rejection;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Names the file system cannot turn into a path are rejects (IngestSparkFuzzTest found an undecodable byte in a CSV image column crashing the whole ingest with "Bad escape"). */
class ImageLoaderTest {

    @Test
    void anUnusablePathIsARejectNotACrash() throws Exception {
        IngestSettings s = IngestSettings.of(ConfigLoader.fromClasspath().systemProperties(new Properties()).sets(List.of()).load());
        Path base = Files.createTempDirectory("loader");
        Files.createDirectories(base.resolve("images"));
        for (String ref : List.of("image\uFFFD/c1.png", "images/c%1.png", "images/\u00c7\u0000.png")) {
            Rejection r = assertThrows(Rejection.class, () -> ImageLoader.load(base.toString(), ref, null, s, new Configuration()), ref);
            assertEquals(RejectReason.IMAGE_NOT_FOUND, r.reason(), ref + ": " + r.getMessage());
        }
    }
}
