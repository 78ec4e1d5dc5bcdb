package io.fusionpipe.eval.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code fusionpipe score}: the fixture end to end through the CLI, and clear errors for bad input files. */
class ScoreCommandTest {

    @TempDir
    Path dir;

    /** The shared fixture's caption file, copied into the test's directory. */
    private Path publicFixture() throws java.io.IOException {
        Path input = dir.resolve("public.json");
        try (InputStream in = getClass().getResourceAsStream("/caption-metrics/public.json")) {
            Files.copy(in, input);
        }
        return input;
    }

    @Test
    void scoresTheFixtureFileLikeTheToolkit() throws Exception {
        Path input = publicFixture();
        Path output = dir.resolve("out/scores.json");
        Cli.Run run = Cli.run("score", "--input", input.toString(), "--output", output.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("systemD") && run.out().contains("52"), run.out());
        JsonNode got = new ObjectMapper().readTree(output.toFile());
        JsonNode expected = CocoFixtureTest.read("public.expected.json");
        assertEquals(List.of("systemA", "systemB", "systemC", "systemD"), List.copyOf(CocoFixtureTest.systems(
                CocoFixtureTest.read("public.json").get("images"))));
        for (String system : List.of("systemA", "systemB", "systemC", "systemD")) {
            for (String metric : CaptionScorer.METRICS) {
                assertEquals(expected.get(system).get("corpus").get(metric).asDouble(), got.get(system).get("corpus").get(metric).asDouble(),
                        CocoFixtureTest.TOLERANCE, system + " " + metric);
            }
            assertEquals(expected.get(system).get("per_image").size(), got.get(system).get("per_image").size());
        }
    }

    @Test
    void badInputsAreUsageErrorsNamingTheImageAndLeaveNoOutput() throws Exception {
        String[][] cases = {
                {"not json", "not valid JSON"},
                {"{\"pictures\": []}", "\"images\" array"},
                {"{\"images\": [{\"references\": [\"a\"]}]}", "images[0] needs a non-empty string \"id\""},
                {"{\"images\": [{\"id\": \"x\", \"references\": []}]}", "images[0] (id x): \"references\" must be a non-empty array"},
                {"{\"images\": [{\"id\": \"x\", \"references\": [\"a\"], \"candidates\": {\"s\": 3}}]}", "candidate of system s is not a string"},
                {"{\"images\": [{\"id\": \"x\", \"references\": [\"a\"], \"candidates\": {\"s\": \"a\"}}, "
                        + "{\"id\": \"x\", \"references\": [\"a\"]}]}", "(id x): the id appears twice"},
                {"{\"images\": [{\"id\": \"x\", \"references\": [\"a\\rb\"], \"candidates\": {\"s\": \"a\"}}]}", "line-break character (U+000D)"},
                {"{\"images\": [{\"id\": \"x\", \"references\": [\"a\"]}]}", "no image has a candidate"},
                {"{\"images\": [{\"id\": \"x\", \"references\": [\"a\"], \"candidates\": {\"s\": \"" + "word ".repeat(2001) + "\"}}]}",
                        "candidate of s is 10005 characters, over the 10000"},
        };
        for (String[] c : cases) {
            Path input = dir.resolve("bad.json");
            Files.writeString(input, c[0]);
            Path output = dir.resolve("never.json");
            Cli.Run run = Cli.run("score", "--input", input.toString(), "--output", output.toString());
            String input0 = c[0].length() > 200 ? c[0].substring(0, 200) + "…" : c[0];
            assertEquals(2, run.code(), input0 + " -> " + run.err());
            assertTrue(run.err().contains(c[1]) && run.err().contains("bad.json"), input0 + " -> " + run.err());
            assertFalse(Files.exists(output));
        }
        Cli.Run missing = Cli.run("score", "--input", dir.resolve("nope.json").toString(), "--output", dir.resolve("o.json").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
        Cli.Run missingUri = Cli.run("score", "--input", dir.resolve("nope.json").toUri().toString(), "--output", dir.resolve("o.json").toString());
        assertEquals(2, missingUri.code());
        assertTrue(missingUri.err().contains("no such file"), missingUri.err());
    }

    @Test
    void plainPathsAndUrisGiveTheSameScores() throws Exception {
        Path input = publicFixture();
        Path plain = dir.resolve("plain.json");
        Path uri = dir.resolve("uri/scores.json");
        assertEquals(0, Cli.run("score", "--input", input.toString(), "--output", plain.toString()).code());
        Cli.Run run = Cli.run("score", "--input", input.toUri().toString(), "--output", uri.toUri().toString());
        assertEquals(0, run.code(), run.err());
        assertEquals(Files.readString(plain), Files.readString(uri));
        assertTrue(ScoreCommand.isPlainLocal("out/scores.json") && ScoreCommand.isPlainLocal("/tmp/a:b.json"));
        assertFalse(ScoreCommand.isPlainLocal("file:/tmp/x.json") || ScoreCommand.isPlainLocal("hdfs://nn:8020/x.json")
                || ScoreCommand.isPlainLocal("s3a://bucket/x.json"));
        try (var leftovers = Files.list(plain.getParent())) {
            assertTrue(leftovers.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void tokenizerEdgeCasesFromTheFixtureReadme() {
        assertEquals(List.of(
                        "-lrb- 60 hp -rrb-",
                        "it 's farfetch 'd ca n't",
                        "lucario-gx fire-type",
                        "mr. u.s.a. 1,200",
                        "!! % & $ #",
                        "flabébé nidoran ♀",
                        "",
                        "260\u00a0260\u00a0260",
                        "90 90",
                        "2\u00a01/2",
                        "it 's a"),
                CocoTokenizer.tokenize(List.of(
                        "(60 HP)",
                        "It's Farfetch'd can't",
                        "Lucario-GX Fire-type",
                        "Mr. U.S.A. 1,200",
                        "!! % & $ #",
                        "Flabébé Nidoran♀",
                        " ... !",
                        "260 260 260",
                        "90 90",
                        "2 1/2",
                        "It\u2019s \u201ca\u201d")));
    }

    @Test
    void pythonStringSemantics() {
        assertEquals(List.of("260", "260", "260"), PythonStrings.splitWhitespace("260\u00a0260 260 "));
        assertEquals(List.of(""), PythonStrings.splitSpace(""));
        assertEquals(List.of("260\u00a0260"), PythonStrings.splitSpace("260\u00a0260"));
        assertEquals("a", PythonStrings.rstrip("a \u00a0\t"));
        assertEquals(3, RougeL.lcs(List.of("a", "b", "c", "d"), List.of("a", "c", "d")));
        // An empty candidate against an empty reference: [""] vs [""] has an LCS of 1 (the toolkit's quirk).
        assertEquals(1.0, RougeL.score("", List.of("")), 1e-12);
        assertEquals(0.0, RougeL.score("", List.of("a b")), 0);
    }
}
