package io.fusionpipe.eval.metrics;

import io.fusionpipe.errors.BadInputException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded fuzzing of {@code score}'s input: a valid file, mutated (bytes changed, cut, repeated,
 * inserted), is scored or refused with a {@link BadInputException} naming the file; never another
 * exception. {@code -Dfuzz.cases=N} (default 300), {@code -Dfuzz.seed=S} (command in docs/security.md).
 */
class ScoreFuzzTest {

    static final int CASES = Integer.getInteger("fuzz.cases", 300);
    static final long SEED = Long.getLong("fuzz.seed", 20261201L);

    @Test
    void mutatedScoreFilesAreScoredOrRefused() {
        String valid = "{\"images\": [{\"id\": \"1\", \"references\": [\"a fire type basic card with 70 hp\", \"a red card\"],"
                + " \"candidates\": {\"early\": \"a fire type card with 70 hp\", \"late\": \"a card\"}},"
                + " {\"id\": \"2\", \"references\": [\"a water stage 1 card\"], \"candidates\": {\"early\": \"a water card\"}}]}";
        byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
        Random r = new Random(SEED);
        int scored = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] b = bytes.clone();
            int ops = 1 + r.nextInt(4);
            for (int op = 0; op < ops && b.length > 0; op++) {
                int at = r.nextInt(b.length);
                switch (r.nextInt(4)) {
                    case 0 -> b[at] = new byte[]{'"', '{', '}', '[', ']', ',', ':', '\\', 0, (byte) 0xFF, '\n', '1'}[r.nextInt(12)];
                    case 1 -> b[at] = (byte) r.nextInt(256);
                    case 2 -> b = java.util.Arrays.copyOf(b, at);
                    default -> {
                        int to = Math.min(b.length, at + 1 + r.nextInt(40));
                        byte[] twice = new byte[b.length + (to - at)];
                        System.arraycopy(b, 0, twice, 0, to);
                        System.arraycopy(b, at, twice, to, b.length - at);
                        b = twice;
                    }
                }
            }
            String text = new String(b, StandardCharsets.UTF_8);
            try {
                Map<String, List<CaptionScorer.Image>> parsed = ScoreFile.parse("fuzz.json", text);
                ScoreFile.render(ScoreFile.score(parsed));
                scored++;
            } catch (BadInputException e) {
                assertTrue(e.getMessage().startsWith("fuzz.json"), "the error names the file: " + e.getMessage());
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + " (" + text + "): " + e, e);
            }
        }
        assertTrue(scored > 0, "some mutations still score");
    }
}
