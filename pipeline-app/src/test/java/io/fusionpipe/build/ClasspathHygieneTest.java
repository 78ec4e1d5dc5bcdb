package io.fusionpipe.build;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dependency pins of ../shared/notes/dl4j-spark-java17.md hold on the full runtime classpath
 * (this module's target/classpath.txt: core + train + eval + Spark): no dl4j-spark3 duplicate,
 * one version each of jackson, slf4j, commons-lang3 and kryo, and no class defined by two jars
 * except the listed cases, each with its reason.
 */
class ClasspathHygieneTest {

    private static final Pattern M2 = Pattern.compile(".*/repository/(.+)/([^/]+)/([^/]+)/[^/]+\\.jar$");

    /** Artifact pairs allowed to define the same classes, with the reason. */
    private static final Map<Set<String>, String> ALLOWED = Map.of(
            Set.of("parquet-column", "parquet-hadoop"), "Spark's own distribution ships both (shaded copies of the same utilities)",
            Set.of("orc-core", "orc-mapreduce"), "Spark's own distribution ships both",
            Set.of("spire_2.12", "spire-macros_2.12", "spire-platform_2.12", "spire-util_2.12"), "spark-mllib's spire: package objects split across jars",
            Set.of("commons-logging", "jcl-over-slf4j"), "Spark's distribution ships both; commons-logging is provided scope here, never in job jars",
            Set.of("guava", "jsr305"), "ND4J's shaded guava carries javax.annotation (annotations only, no behaviour)",
            Set.of("protobuf", "guava"), "ND4J's shaded protobuf vs Spark-provided guava 16: three com.google.thirdparty.publicsuffix classes",
            Set.of("javax.activation", "activation"), "Spark provides activation 1.1.1; DL4J's 1.2.0 is provided scope here, never in job jars");

    private static List<Path> classpath() throws IOException {
        Path file = Paths.get("target", "classpath.txt");
        assertTrue(Files.exists(file), "run through Maven: target/classpath.txt is written at generate-resources");
        List<Path> out = new ArrayList<>();
        for (String entry : Files.readString(file).trim().split(File.pathSeparator)) {
            if (entry.endsWith(".jar")) {
                out.add(Paths.get(entry));
            }
        }
        return out;
    }

    /** groupId:artifactId -> versions on the classpath (from the local repository layout). */
    private static Map<String, Set<String>> artifacts(List<Path> jars) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Path jar : jars) {
            Matcher m = M2.matcher(jar.toString().replace(File.separatorChar, '/'));
            if (m.matches()) {
                out.computeIfAbsent(m.group(1).replace('/', '.') + ":" + m.group(2), k -> new TreeSet<>()).add(m.group(3));
            }
        }
        return out;
    }

    @Test
    void noDl4jSpark3NextToDl4jSpark() throws IOException {
        Map<String, Set<String>> a = artifacts(classpath());
        assertTrue(a.containsKey("org.deeplearning4j:dl4j-spark_2.12"), a.keySet().toString());
        assertTrue(!a.containsKey("org.deeplearning4j:dl4j-spark3_2.12"), "dl4j-spark3_2.12 must be excluded");
        assertTrue(!a.containsKey("org.datavec:datavec-spark3_2.12"), "datavec-spark3_2.12 must be excluded");
        assertTrue(!a.containsKey("com.esotericsoftware:kryo"), "only Spark's kryo-shaded may carry Kryo");
    }

    @Test
    void oneVersionEachOfTheUsualSuspects() throws IOException {
        Map<String, Set<String>> a = artifacts(classpath());
        Set<String> jackson = new TreeSet<>();
        a.forEach((k, v) -> {
            if (k.startsWith("com.fasterxml.jackson.")) {
                jackson.addAll(v);
            }
        });
        assertEquals(Set.of("2.15.2"), jackson, "every jackson module at the BOM's version: " + jackson);
        for (String single : List.of("org.slf4j:slf4j-api", "org.apache.commons:commons-lang3", "com.esotericsoftware:kryo-shaded",
                "commons-io:commons-io", "org.scala-lang:scala-library")) {
            assertEquals(1, a.getOrDefault(single, Set.of()).size(), single + " " + a.get(single));
        }
        assertEquals(Set.of("3.12.0"), a.get("org.apache.commons:commons-lang3"), "DL4J's older commons-lang3 breaks SparkContext");
        assertTrue(a.get("org.slf4j:slf4j-api").iterator().next().startsWith("2."), "Spark's log4j-slf4j2-impl needs slf4j 2.x");
    }

    @Test
    void noClassIsDefinedByTwoJarsExceptTheListedCases() throws IOException {
        List<Path> jars = classpath();
        Map<String, String> owner = new HashMap<>();
        Map<Set<String>, Integer> clashes = new TreeMap<>((x, y) -> x.toString().compareTo(y.toString()));
        for (Path jar : jars) {
            String artifact = jar.getParent().getParent().getFileName().toString();
            Set<String> seenHere = new LinkedHashSet<>();
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                    String name = e.nextElement().getName();
                    if (!name.endsWith(".class") || name.endsWith("module-info.class") || name.startsWith("META-INF/")
                            || !seenHere.add(name)) {
                        continue;
                    }
                    String previous = owner.putIfAbsent(name, artifact);
                    // Spark's build puts org.apache.spark.unused.UnusedStubClass into every module on purpose.
                    if (previous != null && !previous.equals(artifact) && !name.endsWith("package.class")
                            && !name.equals("org/apache/spark/unused/UnusedStubClass.class")) {
                        clashes.merge(new TreeSet<>(Set.of(previous, artifact)), 1, Integer::sum);
                    }
                }
            }
        }
        List<String> unexplained = new ArrayList<>();
        clashes.forEach((pair, count) -> {
            boolean allowed = ALLOWED.keySet().stream().anyMatch(a -> a.containsAll(pair));
            if (!allowed) {
                unexplained.add(pair + ": " + count + " classes");
            }
        });
        assertEquals(List.of(), unexplained, "jars defining the same classes");
    }
}
