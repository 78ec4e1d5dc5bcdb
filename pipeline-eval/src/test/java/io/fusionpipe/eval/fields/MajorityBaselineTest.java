package io.fusionpipe.eval.fields;

import io.fusionpipe.testing.LocalSpark;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MajorityBaselineTest {

    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark();

    private static String caption(String stage, String type, String name, int hp) {
        return "A " + stage + " Pokemon Card of type " + type + " with the title " + name + " and " + hp + " HP of rarity Common from the set Base.";
    }

    @Test
    void eachFieldTakesItsMostCommonValueWhateverThePartitioning() {
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            captions.add(caption("Basic", "Fire", "Charmander", 60));
        }
        for (int i = 0; i < 5; i++) {
            captions.add(caption("Stage 1", "Water", "Wartortle", 80));
            captions.add(caption("Stage 1", "Grass", "Ivysaur", 80));
        }
        captions.add("a photo of a dog"); // states no field: counts for none
        Collections.shuffle(captions, new java.util.Random(3));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SPARK.session().sparkContext());
        for (int partitions : new int[]{1, 4}) {
            Map<String, String> m = MajorityBaseline.values(jsc.parallelize(captions, partitions));
            assertEquals(List.of("stage", "types", "name", "hp", "rarity", "set"), List.copyOf(m.keySet()), "report order; no flavour text stated");
            assertEquals("stage 1", m.get("stage"), "10 of 17");
            assertEquals("fire", m.get("types"), "7 against 5 and 5");
            assertEquals("80", m.get("hp"));
            assertEquals("charmander", m.get("name"));
            assertEquals("common", m.get("rarity"));
        }
    }

    @Test
    void tiesGoToTheValueFirstInStringOrder() {
        assertEquals("a", MajorityBaseline.more(new Tuple2<>("b", 3L), new Tuple2<>("a", 3L))._1());
        assertEquals("a", MajorityBaseline.more(new Tuple2<>("a", 3L), new Tuple2<>("b", 3L))._1());
        assertEquals("b", MajorityBaseline.more(new Tuple2<>("a", 2L), new Tuple2<>("b", 3L))._1());
    }

    @Test
    void theBaselineIsScoredLikeAModelStatingTheSameCaptionForEveryImage() {
        Map<String, String> values = Map.of("stage", "basic", "types", "fire", "hp", "60");
        List<FieldScores.Check> checks = MajorityBaseline.checks(values,
                List.of(CardFields.extract(caption("Basic", "Fire", "Charmander", 60)), CardFields.extract(caption("Stage 1", "Water", "Wartortle", 80))));
        Map<String, Boolean> first = checks.get(0).referenceFields();
        assertEquals(true, first.get("hp"));
        assertEquals(false, first.get("name"), "the baseline states no name");
        assertEquals(0.5, FieldScores.estimates(checks, null, 0.95).get("types").value());
        assertEquals(3, checks.get(1).statedWrong());
    }
}
