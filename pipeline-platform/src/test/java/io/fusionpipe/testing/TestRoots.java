package io.fusionpipe.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The one place tests get a fresh Fusionpipe root: a new directory under the module's
 * {@code target/test-roots} (surefire sets {@code fptest.tmp}), kept after the run so a
 * failing test's outputs can be inspected, and wiped by {@code mvn clean}.
 */
public final class TestRoots {

    private TestRoots() {
    }

    public static Path base() {
        return Paths.get(System.getProperty("fptest.tmp", "target/test-roots")).toAbsolutePath();
    }

    /** A new, empty root directory whose name starts with {@code label}. */
    public static Path newRoot(String label) {
        try {
            Files.createDirectories(base());
            return Files.createTempDirectory(base(), label.replaceAll("[^A-Za-z0-9_.-]", "_") + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository's top directory (surefire sets {@code fptest.project.dir}). */
    public static Path projectDir() {
        String dir = System.getProperty("fptest.project.dir");
        if (dir != null) {
            return Paths.get(dir);
        }
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("pipeline-platform"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the project directory from " + Paths.get("").toAbsolutePath());
        }
        return p;
    }
}
