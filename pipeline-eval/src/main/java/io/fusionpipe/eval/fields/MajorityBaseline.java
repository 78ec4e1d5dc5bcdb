package io.fusionpipe.eval.fields;

import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The per-field majority-class baseline: a captioner that, whatever the image, states each field's
 * most common value among the training captions. A model's field accuracy means little until it is
 * above this (a field with one dominant value is "read" by a model that never looks at the card).
 */
public final class MajorityBaseline {

    private MajorityBaseline() {
    }

    /**
     * Each field's most common value among the {@code captions} that state it (read as {@link CardFields#extract}
     * reads them); ties go to the value first in string order, so the result does not depend on partitioning.
     * Fields no caption states are absent. Counted on the executors: only one value per field reaches the driver.
     */
    public static Map<String, String> values(JavaRDD<String> captions) {
        Map<String, Tuple2<String, Long>> top = captions
                .flatMapToPair(c -> CardFields.extract(c).entrySet().stream()
                        .map(e -> new Tuple2<>(new Tuple2<>(e.getKey(), e.getValue()), 1L)).iterator())
                .reduceByKey(Long::sum)
                .mapToPair(fv -> new Tuple2<>(fv._1()._1(), new Tuple2<>(fv._1()._2(), fv._2())))
                .reduceByKey(MajorityBaseline::more)
                .collectAsMap();
        Map<String, String> out = new LinkedHashMap<>();
        for (String f : CardFields.FIELDS) {
            if (top.containsKey(f)) {
                out.put(f, top.get(f)._1());
            }
        }
        return out;
    }

    /** The baseline's checks against each reference's fields (as {@link CardFields#extract} reads them). */
    public static List<FieldScores.Check> checks(Map<String, String> values, List<Map<String, String>> references) {
        return references.stream().map(r -> FieldScores.check(r, values)).collect(Collectors.toList());
    }

    /** (value, count): the higher count, then the smaller value. */
    static Tuple2<String, Long> more(Tuple2<String, Long> a, Tuple2<String, Long> b) {
        int byCount = Long.compare(a._2(), b._2());
        if (byCount != 0) {
            return byCount > 0 ? a : b;
        }
        return a._1().compareTo(b._1()) <= 0 ? a : b;
    }
}
