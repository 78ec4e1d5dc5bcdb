package io.fusionpipe.eval.metrics;

import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.UsageException;
import io.fusionpipe.layout.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code fusionpipe score --input FILE.json --output OUT.json}: COCO-exact caption metrics for any model's captions. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score captions with BLEU-1..4, ROUGE-L and CIDEr-D exactly as the COCO caption toolkit (pycocoevalcap) does,",
                "in-process. Input: {\"images\":[{\"id\",\"references\":[...],\"candidates\":{\"<system>\":\"...\"}}]}.",
                "Output: {\"<system>\":{\"corpus\":{...},\"per_image\":{\"<id>\":{...}}}}; each system is scored on the images",
                "that have a candidate for it."})
public final class ScoreCommand implements FusionCommand {

    @Option(names = "--input", required = true, paramLabel = "FILE.json", description = "Captions to score (local path or Hadoop URI).")
    String input;

    @Option(names = "--output", required = true, paramLabel = "OUT.json", description = "Where the scores go (written atomically).")
    String output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String text = read();
        long t0 = System.nanoTime();
        Map<String, List<CaptionScorer.Image>> systems = ScoreFile.parse(input, text);
        Map<String, CaptionScorer.Scores> scores = ScoreFile.score(systems);
        double seconds = (System.nanoTime() - t0) / 1e9;
        write(ScoreFile.render(scores));
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%-16s %7s", "system", "images");
        CaptionScorer.METRICS.forEach(m -> out.printf(Locale.ROOT, " %9s", m));
        out.println();
        long captions = 0;
        for (Map.Entry<String, CaptionScorer.Scores> e : scores.entrySet()) {
            out.printf(Locale.ROOT, "%-16s %7d", e.getKey(), e.getValue().perImage().size());
            captions += e.getValue().perImage().size();
            e.getValue().corpus().values().forEach(v -> out.printf(Locale.ROOT, " %9.6f", v));
            out.println();
        }
        out.printf(Locale.ROOT, "%d captions scored in %.2f s -> %s%n", captions, seconds, output);
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * True for a plain local path (no URI scheme): read and written with java.nio. Starting Hadoop's file
     * system, and the logging it brings up, is most of a short run's start-up; URIs go through Hadoop.
     */
    static boolean isPlainLocal(String location) {
        return !location.matches("[A-Za-z][A-Za-z0-9+.-]*:.*");
    }

    private String read() {
        try {
            if (isPlainLocal(input)) {
                java.nio.file.Path in = java.nio.file.Path.of(input);
                if (!java.nio.file.Files.isRegularFile(in)) {
                    throw new UsageException("--input " + input + ": no such file");
                }
                return java.nio.file.Files.readString(in, java.nio.charset.StandardCharsets.UTF_8);
            }
            Configuration hadoop = new Configuration();
            Path in = new Path(input);
            if (!in.getFileSystem(hadoop).exists(in)) {
                throw new UsageException("--input " + input + ": no such file");
            }
            return HadoopFiles.readString(hadoop, in);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new UsageException("--input " + input + ": " + e.getMessage());
        }
    }

    /** Replaces the output whole: a temporary file beside it, then an atomic rename (as HadoopFiles does for URIs). */
    private void write(String json) {
        if (!isPlainLocal(output)) {
            HadoopFiles.writeAtomically(new Configuration(), new Path(output), json);
            return;
        }
        java.nio.file.Path out = java.nio.file.Path.of(output).toAbsolutePath();
        java.nio.file.Path tmp = null;
        try {
            java.nio.file.Files.createDirectories(out.getParent());
            tmp = java.nio.file.Files.createTempFile(out.getParent(), "." + out.getFileName(), ".tmp");
            java.nio.file.Files.writeString(tmp, json, java.nio.charset.StandardCharsets.UTF_8);
            java.nio.file.Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write --output " + output + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    java.nio.file.Files.deleteIfExists(tmp);
                } catch (java.io.IOException ignored) {
                    // best effort: the output itself is complete or untouched
                }
            }
        }
    }
}
