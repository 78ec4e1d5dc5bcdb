package io.fusionpipe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/** Versions and JVM flags the build was made with (io/fusionpipe/build.properties, filtered from the pom). */
public final class BuildInfo {

    private static final Properties PROPS = load();

    private BuildInfo() {
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/io/fusionpipe/build.properties")) {
            if (in == null) {
                throw new IllegalStateException("io/fusionpipe/build.properties missing from the classpath: rebuild pipeline-platform");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    public static String version() {
        return PROPS.getProperty("version");
    }

    public static String get(String key) {
        return PROPS.getProperty(key, "");
    }

    /** The add-opens and Aeron flags every driver and executor JVM needs on Java 17. */
    public static List<String> jvmFlags() {
        return Arrays.stream(PROPS.getProperty("jvm.flags", "").trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }
}
