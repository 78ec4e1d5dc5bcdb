package io.fusionpipe.ingest;

import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.ingest.IngestRows.Candidate;
import io.fusionpipe.ingest.IngestRows.DedupKey;
import io.fusionpipe.ingest.IngestRows.Input;
import io.fusionpipe.ingest.IngestRows.Item;
import io.fusionpipe.ingest.IngestRows.Outcome;
import io.fusionpipe.ingest.IngestRows.Sample;
import io.fusionpipe.ingest.source.RawRecord;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ingest's per-row steps on a few hand-made rows, without Spark. */
class IngestRowsTest {

    private static IngestSettings settings(String... sets) {
        ConfigLoader loader = ConfigLoader.fromClasspath().systemProperties(new Properties());
        for (String s : sets) {
            loader.set(s);
        }
        return IngestSettings.of(loader.load());
    }

    private static final IngestSettings S = settings();

    @Test
    void validateKeepsARowWithAnImageAndACaptionAndRejectsTheRest() {
        Outcome<Candidate> ok = IngestRows.validate(RawRecord.of("m", "m:1", 1, "a", "/in", "a.png", null, "  A red   card ", Map.of("hp", "60")), S);
        assertTrue(ok.value() != null, "rejected: " + ok.rejects());
        assertEquals("A red card", ok.value().caption(), "whitespace normalised");
        assertEquals("/in|a.png", ok.value().imageKey());
        assertEquals("60", ok.value().fields().get("hp"));

        Outcome<Candidate> inline = IngestRows.validate(RawRecord.of("m", "m:2", 2, "b", null, null, new byte[]{1, 2}, "cap", null), S);
        assertTrue(inline.value().imageKey().startsWith("sha256:"), "inline bytes are keyed by their hash");

        Outcome<Candidate> noImage = IngestRows.validate(RawRecord.of("m", "m:3", 3, "c", "/in", " ", null, "cap", null), S);
        assertNull(noImage.value());
        assertEquals(RejectReason.CAPTION_WITHOUT_IMAGE.code(), noImage.rejects().get(0).reason());

        Outcome<Candidate> noCaption = IngestRows.validate(RawRecord.of("m", "m:4", 4, "d", "/in", "d.png", null, "   ", null), S);
        assertNull(noCaption.value());
        assertEquals(1, noCaption.rejects().size(), noCaption.rejects().toString());

        Outcome<Candidate> known = IngestRows.validate(RawRecord.problem("m", "m:5", 5, "e", RejectReason.MALFORMED_RECORD, "3 columns"), S);
        assertEquals(RejectReason.MALFORMED_RECORD.code(), known.rejects().get(0).reason());
        assertEquals("3 columns", known.rejects().get(0).detail());
    }

    private static Candidate candidate(long ord, String key, String caption) {
        return new Candidate("m", "m:" + ord, ord, "x", "/in", key, null, key, caption, Map.of());
    }

    @Test
    void alignGivesTheEarliestImageItsCaptionsAndRejectsConflictsAndRepeats() {
        Outcome<Sample> s = IngestRows.align("x", List.of(candidate(3, "b.png", "third"), candidate(1, "a.png", "first"),
                candidate(2, "a.png", "second"), candidate(4, "a.png", "first")));
        assertEquals(List.of("first", "second"), s.value().captions());
        assertEquals("a.png", s.value().imageRef());
        assertEquals(List.of(new Input("m", "m:1"), new Input("m", "m:2")), s.value().inputs());
        assertEquals(List.of(RejectReason.DUPLICATE_ID_CONFLICT.code(), RejectReason.DUPLICATE_ROW.code()),
                s.rejects().stream().map(IngestRows.Reject::reason).toList());
    }

    @Test
    void exactDuplicatesKeepTheEarliestRowAndEveryRowOfThePreviousVersion() {
        List<Tuple2<Long, String[]>> decided = IngestRows.exactDuplicates(List.of(
                new DedupKey(7, "late", "abcdef0123456789", "p", "c", false),
                new DedupKey(-1, "old", "abcdef0123456789", "p", "c", true),
                new DedupKey(5, "early", "abcdef0123456789", "p", "c", false)));
        Map<Long, String[]> byOrd = new HashMap<>();
        decided.forEach(t -> byOrd.put(t._1(), t._2()));
        assertEquals(2, byOrd.size(), "only the previous version's row survives");
        assertEquals(RejectReason.DUPLICATE_IMAGE.name(), byOrd.get(5L)[0]);
        assertTrue(byOrd.get(7L)[1].contains("'old'"), byOrd.get(7L)[1]);
        assertTrue(IngestRows.exactDuplicates(List.of(new DedupKey(1, "only", "ff00", "p", "c", false))).isEmpty());
    }

    private static Item item(String id, Map<String, String> fields) {
        return new Item(id, 1, "m", List.of("cap"), fields, List.of(), new byte[0], 1, 1, 1, 1, "s", "p", null);
    }

    @Test
    void splitsAreStableAndFollowTheShares() {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            counts.merge(IngestRows.split("card-" + i, S), 1, Integer::sum);
        }
        assertEquals(IngestRows.split("card-42", S), IngestRows.split("card-42", S), "same key, same split");
        double train = counts.get("train") / 4000.0;
        assertTrue(Math.abs(train - S.trainShare()) < 0.03, counts + " vs train share " + S.trainShare());
        IngestSettings bySpecies = settings("ingest.split.group-key=name");
        assertEquals("Pikachu", IngestRows.groupKey(item("a", Map.of("name", "Pikachu")), bySpecies));
        assertEquals("b", IngestRows.groupKey(item("b", Map.of()), bySpecies), "no such field: the id");
        assertEquals("c", IngestRows.groupKey(item("c", Map.of("name", "Pikachu")), S));
    }

    @Test
    void givenSplitsAreNormalisedAndRowsWithoutOneRejected() {
        assertEquals("val", IngestRows.givenSplit(" Validation "));
        assertEquals("val", IngestRows.givenSplit("dev"));
        assertEquals("train", IngestRows.givenSplit("TRAIN"));
        assertNull(IngestRows.givenSplit("holdout"));
        IngestSettings bySplit = settings("ingest.split.column=split");
        Outcome<Candidate> ok = IngestRows.validate(RawRecord.of("m", "m:1", 1, "a", "/in", "a.png", null, "cap", Map.of("split", "test")), bySplit);
        assertTrue(ok.value() != null, ok.rejects().toString());
        Outcome<Candidate> none = IngestRows.validate(RawRecord.of("m", "m:2", 2, "b", "/in", "b.png", null, "cap", Map.of()), bySplit);
        assertEquals(RejectReason.BAD_SPLIT.code(), none.rejects().get(0).reason());
        assertTrue(none.rejects().get(0).detail().contains("'split' is missing"), none.rejects().get(0).detail());
        assertEquals("test", IngestRows.splitOf(item("c", Map.of("split", "test")), bySplit));
    }

    @Test
    void conservationFailsNamingTheSource() {
        IngestRows.checkConservation(Map.of("a", 3L), Map.of("a", 2L), Map.of("a", 1L));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> IngestRows.checkConservation(Map.of("a", 3L, "b", 1L), Map.of("a", 2L), Map.of("a", 1L)));
        assertTrue(e.getMessage().contains("b: in 1 != written 0 + rejected 0") && e.getMessage().contains("nothing published"), e.getMessage());
    }
}
