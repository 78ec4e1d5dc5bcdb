package io.fusionpipe.eval.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The baseline of {@code score-bench --coco-toolkit DIR}: one input file in {@code score}'s format,
 * scored by {@code bin/fusionpipe score} as a whole process and by the Python COCO toolkit
 * (pycocoevalcap, through {@code coco_toolkit_score.py}), each timed from start to exit, and every
 * per-image and corpus score of the two compared for exact equality.
 */
final class CocoToolkitBaseline {

    static final String SYSTEM = "bench";
    private static final String SCRIPT = "coco_toolkit_score.py";
    private static final int TIMEOUT_MINUTES = 30;

    /**
     * Scores further apart than this (relative) are a real disagreement; closer ones are the last bits
     * of exp/pow, which the toolkit's C library does not round correctly (see {@link RoundedMath}).
     */
    static final double AGREE = 1e-12;

    /**
     * Seconds from start to exit ({@code scoreProcessSeconds} null when no launcher was found), and the
     * comparison: scores compared, those not bit-identical, the largest relative difference.
     */
    record Result(Double scoreProcessSeconds, double toolkitProcessSeconds, double toolkitTokenizeSeconds,
                  double toolkitMetricsSeconds, long compared, long different, double maxRelative) {
    }

    private CocoToolkitBaseline() {
    }

    static Result run(Path toolkit, String python, List<CaptionScorer.Image> images, PrintWriter out) {
        checkToolkit(toolkit);
        Path dir = null;
        try {
            dir = Files.createTempDirectory("fusionpipe-score-bench-");
            Path input = dir.resolve("captions.json");
            Files.writeString(input, inputJson(images));
            Path script = dir.resolve(SCRIPT);
            try (InputStream in = CocoToolkitBaseline.class.getResourceAsStream(SCRIPT)) {
                Files.copy(in, script);
            }
            Double scoreSeconds = null;
            Path ours = dir.resolve("fusionpipe.json");
            String home = System.getenv("FUSIONPIPE_HOME");
            if (home != null && Files.isExecutable(Path.of(home, "bin", "fusionpipe"))) {
                scoreSeconds = timed(dir.resolve("score.log"), Path.of(home, "bin", "fusionpipe").toString(), "score",
                        "--input", input.toString(), "--output", ours.toString());
            } else {
                out.println("no bin/fusionpipe launcher (FUSIONPIPE_HOME unset, as under spark-submit): the whole-process "
                        + "time of score is not measured; the scores compared are this process's");
                Files.writeString(ours, ScoreFile.render(ScoreFile.score(ScoreFile.parse(input.toString(), Files.readString(input)))));
            }
            Path theirs = dir.resolve("toolkit.json");
            Path log = dir.resolve("toolkit.log");
            double toolkitSeconds = timed(log, python, script.toString(), toolkit.toAbsolutePath().toString(), input.toString(), theirs.toString());
            JsonNode times = lastJsonLine(log);
            Comparison c = compare(Json.MAPPER.readTree(ours.toFile()), Json.MAPPER.readTree(theirs.toFile()), out);
            return new Result(scoreSeconds, toolkitSeconds, times.path("tokenize_s").asDouble(), times.path("metrics_s").asDouble(),
                    c.compared, c.different, c.maxRelative);
        } catch (IOException e) {
            throw new IllegalStateException("score-bench --coco-toolkit: " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void checkToolkit(Path toolkit) {
        for (String f : List.of("tokenizer/ptbtokenizer.py", "tokenizer/stanford-corenlp-3.4.1.jar", "bleu/bleu.py", "rouge/rouge.py", "cider/cider.py")) {
            if (!Files.isRegularFile(toolkit.resolve(f))) {
                throw new BadInputException("--coco-toolkit " + toolkit + ": no " + f + " (expected a pycocoevalcap checkout with"
                        + " stanford-corenlp-3.4.1.jar from Maven Central in tokenizer/)");
            }
        }
    }

    static String inputJson(List<CaptionScorer.Image> images) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode list = root.putArray("images");
        for (CaptionScorer.Image im : images) {
            ObjectNode o = list.addObject();
            o.put("id", im.id());
            ArrayNode refs = o.putArray("references");
            im.references().forEach(refs::add);
            o.putObject("candidates").put(SYSTEM, im.candidate());
        }
        return Json.MAPPER.writeValueAsString(root);
    }

    /** Runs a command to its exit (output to {@code log}); fails naming the command when it does not exit 0. */
    private static double timed(Path log, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("FUSIONPIPE_NO_BUILD", "1");
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + ": still running after " + TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log);
            throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
        }
        return Math.round(seconds * 1000) / 1000.0;
    }

    private static JsonNode lastJsonLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("{")) {
                return Json.MAPPER.readTree(lines.get(i));
            }
        }
        throw new IllegalStateException("the toolkit's harness printed no timings (" + log + ")");
    }

    static final class Comparison {
        long compared;
        long different;
        double maxRelative;
    }

    /**
     * Every corpus and per-image score of the one system: how many are not bit-identical and the largest
     * relative difference (infinite when a score is missing on one side); the first few printed.
     */
    static Comparison compare(JsonNode ours, JsonNode theirs, PrintWriter out) {
        Comparison c = new Comparison();
        JsonNode a = ours.path(SYSTEM);
        JsonNode b = theirs.path(SYSTEM);
        List<String> names = new ArrayList<>();
        List<JsonNode[]> pairs = new ArrayList<>();
        names.add("corpus");
        pairs.add(new JsonNode[]{a.path("corpus"), b.path("corpus")});
        Iterator<Map.Entry<String, JsonNode>> images = a.path("per_image").fields();
        while (images.hasNext()) {
            Map.Entry<String, JsonNode> e = images.next();
            names.add(e.getKey());
            pairs.add(new JsonNode[]{e.getValue(), b.path("per_image").path(e.getKey())});
        }
        if (a.path("per_image").size() != b.path("per_image").size()) {
            out.printf("different: %d images scored here, %d by the toolkit%n", a.path("per_image").size(), b.path("per_image").size());
            c.maxRelative = Double.POSITIVE_INFINITY;
        }
        for (int i = 0; i < pairs.size(); i++) {
            for (String metric : CaptionScorer.METRICS) {
                c.compared++;
                JsonNode x = pairs.get(i)[0].get(metric);
                JsonNode y = pairs.get(i)[1].get(metric);
                double rel = x == null || y == null ? Double.POSITIVE_INFINITY
                        : x.asDouble() == y.asDouble() ? 0 : Math.abs(x.asDouble() - y.asDouble()) / Math.max(Math.abs(x.asDouble()), Math.abs(y.asDouble()));
                if (rel > 0 && ++c.different <= 3) {
                    out.printf("not bit-identical: %s %s: fusionpipe %s, toolkit %s%n", names.get(i), metric, x, y);
                }
                c.maxRelative = Math.max(c.maxRelative, rel);
            }
        }
        return c;
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
