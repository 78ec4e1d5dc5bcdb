package io.fusionpipe.layout;

import io.fusionpipe.config.FusionConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Points every native and scratch location of this JVM into the root's scratch directory and
 * applies the off-heap limits, before ND4J, JavaCPP, Aeron or Spark read them. Call once, first
 * thing, on the driver. Executors get the same settings through {@link #executorJavaOptions}.
 */
public final class JvmEnvironment {

    public static final String JAVACPP_CACHE = "org.bytedeco.javacpp.cachedir";
    public static final String MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
    public static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxphysicalbytes";
    public static final String AERON_DIR = "aeron.dir";
    public static final String JAVA_TMP = "java.io.tmpdir";

    private final FusionRoot root;
    private final long offheapMax;
    private final long offheapMaxPhysical;

    public JvmEnvironment(FusionRoot root, long offheapMax, long offheapMaxPhysical) {
        this.root = root;
        this.offheapMax = offheapMax;
        this.offheapMaxPhysical = offheapMaxPhysical;
    }

    public static JvmEnvironment of(FusionConfig config) {
        return new JvmEnvironment(FusionRoot.of(config),
                config.config().getBytes("fusionpipe.jvm.offheap-max"),
                config.config().getBytes("fusionpipe.jvm.offheap-max-physical"));
    }

    /** The system properties this JVM should carry; explicit -D settings by the user are kept. */
    public Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(JAVACPP_CACHE, root.scratch("javacpp").toString());
        p.put(AERON_DIR, root.scratch("aeron").resolve("driver-" + ProcessHandle.current().pid()).toString());
        if (offheapMax > 0) {
            p.put(MAX_BYTES, Long.toString(offheapMax));
        }
        if (offheapMaxPhysical > 0) {
            p.put(MAX_PHYSICAL_BYTES, Long.toString(offheapMaxPhysical));
        }
        return p;
    }

    /** Creates the scratch directories and sets the properties that are not set yet. */
    public void apply() {
        try {
            for (String dir : List.of("javacpp", "aeron", "hadoop", "java-tmp")) {
                Files.createDirectories(root.scratch(dir));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create scratch directory under " + root.scratch()
                    + " (set fusionpipe.scratch-dir to a writable local directory): " + e.getMessage(), e);
        }
        properties().forEach((k, v) -> {
            if (System.getProperty(k) == null) {
                System.setProperty(k, v);
            }
        });
        // Always: the JVM's default (/tmp) is not ours to fill. Spark's local dirs and temp files follow it.
        System.setProperty(JAVA_TMP, root.scratch("java-tmp").toString());
    }

    /** JVM options for executors: the Java 17 flags plus the off-heap limits (their scratch is their own). */
    public List<String> executorJavaOptions(List<String> jvmFlags) {
        List<String> opts = new ArrayList<>(jvmFlags);
        if (offheapMax > 0) {
            opts.add("-D" + MAX_BYTES + "=" + offheapMax);
        }
        if (offheapMaxPhysical > 0) {
            opts.add("-D" + MAX_PHYSICAL_BYTES + "=" + offheapMaxPhysical);
        }
        return opts;
    }
}
