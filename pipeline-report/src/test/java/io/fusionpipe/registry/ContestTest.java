package io.fusionpipe.registry;

import io.fusionpipe.records.EvalRecord;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which run challenges and what the decision is made on, with and without seed groups. */
class ContestTest {

    private static EvalRecord.VariantResult run(String id, String variant, double cider) {
        return new EvalRecord.VariantResult(id, variant, 10, new EvalRecord.Training(1, 1, 1, 1, List.of()), 1,
                Map.of("CIDEr", new EvalRecord.Estimate(cider, null, null, null, null)), Map.of(), null);
    }

    private static EvalRecord record(Map<String, EvalRecord.VariantResult> variants, Map<String, EvalRecord.SeedGroup> groups,
                                     List<EvalRecord.Pair> pairs, List<EvalRecord.Pair> seedPairs) {
        String best = variants.entrySet().stream().max(Map.Entry.comparingByValue(
                java.util.Comparator.comparingDouble(v -> v.value("CIDEr")))).orElseThrow().getKey();
        return new EvalRecord(EvalRecord.VERSION, "ev", "t", new EvalRecord.Dataset("d", 1, "test", 10, false), "CIDEr", null, null,
                List.copyOf(variants.keySet()), variants, pairs, Map.of("CIDEr", best), null, groups, seedPairs, null);
    }

    private static EvalRecord.SeedGroup group(String variant, Map<String, EvalRecord.VariantResult> variants, String... labels) {
        List<Double> values = java.util.Arrays.stream(labels).map(l -> variants.get(l).value("CIDEr")).toList();
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        return new EvalRecord.SeedGroup(variant, List.of(labels), java.util.Collections.nCopies(labels.length, 42L),
                Map.of("CIDEr", new EvalRecord.Spread(mean, 0.1, values.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                        values.stream().mapToDouble(Double::doubleValue).max().orElseThrow())), null);
    }

    @Test
    void withoutSeedGroupsTheBestRunChallengesOnItsOwnValue() {
        Map<String, EvalRecord.VariantResult> v = new LinkedHashMap<>();
        v.put("early", run("e", "early", 0.8));
        v.put("late", run("l", "late", 0.7));
        EvalRecord m = record(v, null, List.of(new EvalRecord.Pair("early", "late", "CIDEr", 0.1, 0.01)), null);
        assertEquals("early", Contest.defaultChallenger(m, "CIDEr"));
        Contest.Sides s = Contest.sides(m, "early", "late", "CIDEr");
        assertEquals(new Contest.Sides(0.8, 0.7, 0.01, null), s);
    }

    @Test
    void withSeedGroupsTheBestMeanChallengesNotTheLuckiestSeed() {
        Map<String, EvalRecord.VariantResult> v = new LinkedHashMap<>();
        // late has the single best run (0.95) but a worse mean than early
        v.put("e1", run("e1", "early", 0.85));
        v.put("e2", run("e2", "early", 0.83));
        v.put("e3", run("e3", "early", 0.84));
        v.put("l1", run("l1", "late", 0.95));
        v.put("l2", run("l2", "late", 0.55));
        v.put("l3", run("l3", "late", 0.60));
        v.put("champ", run("champ", "early", 0.70));
        Map<String, EvalRecord.SeedGroup> groups = new LinkedHashMap<>();
        groups.put("early", group("early", v, "e1", "e2", "e3"));
        groups.put("late", group("late", v, "l1", "l2", "l3"));
        groups.put("champ", group("early", v, "champ"));
        EvalRecord m = record(v, groups, List.of(new EvalRecord.Pair("l1", "champ", "CIDEr", 0.25, 0.001)),
                List.of(new EvalRecord.Pair("early", "champ", "CIDEr", 0.14, 0.02), new EvalRecord.Pair("late", "champ", "CIDEr", 0.0, 0.9)));
        assertEquals("l1", m.best("CIDEr"), "the luckiest seed");
        assertEquals("e1", Contest.defaultChallenger(m, "CIDEr"), "the best run of the best group");
        Contest.Sides early = Contest.sides(m, "e1", "champ", "CIDEr");
        assertEquals(0.84, early.challenger(), 1e-12);
        assertEquals(0.70, early.champion(), 1e-12);
        assertEquals(0.02, early.pValue());
        assertTrue(early.basis().contains("3 run(s) of group early"), early.basis());
        Contest.Sides late = Contest.sides(m, "l1", "champ", "CIDEr");
        assertEquals(0.9, late.pValue(), "the seed-level test, not l1's paired one (0.001)");
        assertEquals(Promotion.Outcome.KEPT, Promotion.decide("CIDEr", late.champion(), late.challenger(), late.pValue(), 0, 0.05).outcome());
        Contest.Sides same = Contest.sides(m, "e1", "e2", "CIDEr");
        assertEquals(same.challenger(), same.champion(), "seeds of one configuration tie");
        assertTrue(Double.isNaN(same.pValue()));
    }
}
