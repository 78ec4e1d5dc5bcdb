package io.fusionpipe.eval.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Counts of the 1..4-grams of a token list, one map per n (index n-1), keyed by the space-joined n-gram. */
final class NGrams {

    static final int MAX_N = 4;

    private NGrams() {
    }

    static List<Map<String, Integer>> count(List<String> words) {
        List<Map<String, Integer>> out = new ArrayList<>(MAX_N);
        for (int n = 1; n <= MAX_N; n++) {
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i + n <= words.size(); i++) {
                counts.merge(String.join(" ", words.subList(i, i + n)), 1, Integer::sum);
            }
            out.add(counts);
        }
        return out;
    }
}
