package io.fusionpipe.build;

import io.fusionpipe.testing.TestRoots;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each measured figure lives in one place: the README states none (it links to docs/), and a figure
 * the docs state more than once (a job jar's size, the demo's time, the download size) has one value
 * everywhere.
 */
class FiguresTest {

    /** Figures that are stated in several places, each with the pattern that finds its value (group 2; group 1 names it). */
    static final Map<String, Pattern> REPEATED = new LinkedHashMap<>();

    static {
        REPEATED.put("job jar size", Pattern.compile("`(pipeline-\\w+)-[^`]*-job\\.jar` \\| ([\\d.]+ MiB)"));
        REPEATED.put("demo wall time", Pattern.compile("(demo)`?[^.|]{0,80}?\\*\\*(\\d+ min \\d+ s)\\*\\*"));
        REPEATED.put("first download", Pattern.compile("(runtime classpath) is about ([\\d,]+ MiB)"));
    }

    /** figure → value → where; a figure with two values is a contradiction. */
    static Map<String, Map<String, List<String>>> statements(Map<String, String> docs) {
        Map<String, Map<String, List<String>>> out = new TreeMap<>();
        docs.forEach((name, text) -> REPEATED.forEach((figure, p) -> {
            Matcher m = p.matcher(text);
            while (m.find()) {
                out.computeIfAbsent(figure + " " + m.group(1), k -> new TreeMap<>()).computeIfAbsent(m.group(2), k -> new ArrayList<>()).add(name);
            }
        }));
        return out;
    }

    /** Measured figures in running text outside code blocks: a number with a unit of time, size or speed. */
    static List<String> figuresOutsideCode(String markdown) {
        List<String> out = new ArrayList<>();
        boolean code = false;
        Pattern figure = Pattern.compile("\\b\\d[\\d,.]*\\s?(s|min|MiB|GiB|ms|×|%|samples/s)(?![\\w/])");
        for (String line : markdown.split("\n")) {
            if (line.startsWith("```")) {
                code = !code;
                continue;
            }
            Matcher m = figure.matcher(line.replaceAll("`[^`]*`", ""));
            if (!code && m.find()) {
                out.add(line.strip());
            }
        }
        return out;
    }

    static Map<String, String> docs() throws Exception {
        Map<String, String> docs = new TreeMap<>();
        Path root = TestRoots.projectDir();
        docs.put("README.md", Files.readString(root.resolve("README.md")));
        docs.put("deploy/README.md", Files.readString(root.resolve("deploy/README.md")));
        try (Stream<Path> pages = Files.list(root.resolve("docs"))) {
            for (Path p : pages.filter(f -> f.toString().endsWith(".md")).toList()) {
                docs.put("docs/" + p.getFileName(), Files.readString(p));
            }
        }
        return docs;
    }

    @Test
    void theReadmeStatesNoMeasuredFigure() throws Exception {
        assertEquals(List.of(), figuresOutsideCode(docs().get("README.md")), "README.md: figures belong in docs/ (link to them)");
    }

    @Test
    void aFigureStatedTwiceHasOneValue() throws Exception {
        Map<String, Map<String, List<String>>> found = statements(docs());
        for (var e : found.entrySet()) {
            assertEquals(1, e.getValue().size(), e.getKey() + " has several values: " + e.getValue());
        }
    }

    @Test
    void theChecksSeeContradictions() {
        Map<String, String> docs = Map.of("a.md", "| `pipeline-train-0.1-job.jar` | 196.5 MiB |", "b.md",
                "| `pipeline-train-0.1-job.jar` | 180.0 MiB |\nthe `demo` took **12 min 3 s**", "c.md", "`demo` in **11 min 0 s**");
        Map<String, Map<String, List<String>>> found = statements(docs);
        assertEquals(new TreeSet<>(List.of("180.0 MiB", "196.5 MiB")), found.get("job jar size pipeline-train").keySet());
        assertEquals(2, found.get("demo wall time demo").size());
        assertEquals(List.of("took 3.5 s here"), figuresOutsideCode("# t\n```\n1.9 s in code\n```\ntook 3.5 s here\n`12 s` in a code span"));
        assertTrue(figuresOutsideCode("version 17, port 40123, 2 cores").isEmpty(), "plain counts are not measurements");
    }
}
