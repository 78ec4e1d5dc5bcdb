package io.fusionpipe.ingest;

import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.ingest.image.ImageProcessor;
import io.fusionpipe.ingest.source.SourcesTestAccess;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded fuzzing of ingest's readers without Spark: valid JSONL lines, WebDataset tars and images,
 * mutated (bytes flipped, cut, repeated, inserted), must each end as a row that validation accepts or
 * rejects with a reason, never as an exception. {@code -Dfuzz.cases=N} (default 300 per reader) and
 * {@code -Dfuzz.seed=S} run more or other cases: {@code mvn -B -o test -pl pipeline-platform,pipeline-data,pipeline-generate,pipeline-ingest
 * -Dtest=IngestFuzzTest -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.cases=20000}.
 */
class IngestFuzzTest {

    static final int CASES = Integer.getInteger("fuzz.cases", 300);
    static final long SEED = Long.getLong("fuzz.seed", 20261201L);
    static final IngestSettings S = IngestSettings.of(ConfigLoader.fromClasspath().systemProperties(new Properties())
            .sets(List.of("ingest.image.max-bytes=1M", "ingest.image.max-pixels=4000000")).load());

    /** One mutation of {@code in}: a few bytes changed, a range cut, repeated or inserted, or the end cut off. */
    static byte[] mutate(byte[] in, Random r) {
        byte[] b = in.clone();
        int ops = 1 + r.nextInt(4);
        for (int op = 0; op < ops && b.length > 0; op++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> b[at] = new byte[]{'"', '{', '}', '[', ']', ',', ':', '\\', 0, (byte) 0xFF, '\n', '.'}[r.nextInt(12)];
                case 2 -> b = concat(slice(b, 0, at), slice(b, Math.min(b.length, at + 1 + r.nextInt(16)), b.length));
                case 3 -> b = concat(slice(b, 0, at), concat(slice(b, at, Math.min(b.length, at + 1 + r.nextInt(32))), slice(b, at, b.length)));
                case 4 -> {
                    byte[] junk = new byte[1 + r.nextInt(8)];
                    r.nextBytes(junk);
                    b = concat(slice(b, 0, at), concat(junk, slice(b, at, b.length)));
                }
                default -> b = slice(b, 0, at);
            }
        }
        return b;
    }

    static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, Math.max(from, to));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Validation decides every row a reader produced: a candidate or rejects with reasons; never an exception. */
    static void decided(Row row, String what) {
        try {
            if (!row.isNullAt(9)) {
                RejectReason.valueOf(row.getString(9).toUpperCase(java.util.Locale.ROOT));
                return;
            }
            IngestRows.Outcome<IngestRows.Candidate> o = IngestRows.validate(row, S);
            assertTrue(o.value() != null || !o.rejects().isEmpty(), what + ": neither kept nor rejected");
        } catch (RuntimeException e) {
            fail(what + ": " + e, e);
        }
    }

    @Test
    void mutatedJsonlLinesAreRowsOrRejects() {
        Random r = new Random(SEED);
        List<String> valid = List.of(
                "{\"id\":\"a1\",\"image\":\"images/a1.png\",\"caption\":\"A Basic Pokemon Card of type Fire with the title Charmander and 70 HP\"}",
                "{\"id\":\"b2\",\"image\":\"https://example.org/b2.jpg\",\"caption\":\"Stage 1 Water card\",\"hp\":\"90\",\"types\":[\"Water\"]}",
                "{\"id\":3,\"image\":\"x/../y.png\",\"caption\":\"\\u00e9l\\u00e8ve \\ud83d\\ude00\",\"name\":null}");
        for (int i = 0; i < CASES; i++) {
            byte[] line = mutate(valid.get(i % valid.size()).getBytes(StandardCharsets.UTF_8), r);
            String text = new String(line, StandardCharsets.UTF_8);
            Row row;
            try {
                row = SourcesTestAccess.jsonLine(text, "case " + i, S);
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + " (" + text + "): " + e, e);
            }
            decided(row, "jsonl case " + i + " (" + text + ")");
        }
    }

    @Test
    void mutatedTarsAreSamplesOrRejects() throws Exception {
        Random r = new Random(SEED + 1);
        Path dir = Files.createTempDirectory("fuzz-tar");
        Path valid = dir.resolve("valid.tar");
        Fixtures.tar(valid, Fixtures.members("s1.png", Fixtures.card(70), "s1.txt", "a caption", "s2.png", Fixtures.card(71),
                "s2.json", "{\"caption\":\"two\",\"hp\":\"60\"}", "s3.jpg", Fixtures.card(72), "s3.txt", "three", "s3.cls", "7"));
        byte[] bytes = Files.readAllBytes(valid);
        for (int i = 0; i < CASES; i++) {
            byte[] tar = mutate(bytes, r);
            int rows = 0;
            try {
                for (Iterator<Row> it = SourcesTestAccess.tar(tar, S); it.hasNext(); rows++) {
                    decided(it.next(), "tar case " + i);
                }
            } catch (RuntimeException e) {
                throw new AssertionError("tar case " + i + " after " + rows + " rows: " + e, e);
            }
        }
    }

    @Test
    void mutatedImagesAreProcessedOrRejected() throws Exception {
        Random r = new Random(SEED + 2);
        byte[] png = Fixtures.card(80);
        byte[] jpeg = Fixtures.jpegOf(png, 0.8f, 1.0);
        Map<Boolean, Integer> outcomes = new java.util.HashMap<>();
        for (int i = 0; i < CASES; i++) {
            byte[] image = mutate(i % 2 == 0 ? png : jpeg, r);
            boolean kept;
            try {
                ImageProcessor.process(image, S);
                kept = true;
            } catch (Rejection expected) {
                kept = false;
            } catch (RuntimeException | OutOfMemoryError e) {
                throw new AssertionError("image case " + i + " (" + image.length + " bytes): " + e, e);
            }
            outcomes.merge(kept, 1, Integer::sum);
        }
        assertTrue(outcomes.getOrDefault(false, 0) > 0, "some mutations are rejected: " + outcomes);
    }
}
