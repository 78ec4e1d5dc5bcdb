package io.fusionpipe.ingest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Fixtures for tests in other packages. */
public final class FixturesAccess {

    private FixturesAccess() {
    }

    /** {@code n} distinct card images under {@code dir/images} and their manifest.jsonl; returns the manifest. */
    public static Path cards(Path dir, int n) throws Exception {
        Files.createDirectories(dir.resolve("images"));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Files.write(dir.resolve("images/c" + i + ".png"), Fixtures.card(200 + i));
            lines.add("{\"id\":\"c" + i + "\",\"image\":\"images/c" + i + ".png\",\"caption\":\"" + Fixtures.cardCaption(200 + i) + "\"}");
        }
        Path manifest = dir.resolve("manifest.jsonl");
        Files.write(manifest, lines);
        return manifest;
    }
}
