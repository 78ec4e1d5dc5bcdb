package io.fusionpipe.eval.metrics;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The 1..4-grams of the captions of one scoring call, as int ids: a token gets an id the first time
 * it is seen, and an n-gram is the id of the pair (its (n-1)-gram prefix, its last token), so no
 * n-gram string is ever built. Ids mean nothing across calls. Not thread-safe.
 */
final class NGrams {

    static final int MAX_N = 4;

    private final Map<String, Integer> tokens = new HashMap<>();
    private final LongIds grams = new LongIds();

    /**
     * Per n (index n-1): the caption's distinct n-gram ids, ascending, how often each occurs, and
     * the indices into those two in order of first appearance in the caption (the order the toolkit's
     * Python dicts hold them in, which fixes the order of its floating-point sums).
     */
    record Counts(int[][] ids, int[][] counts, int[][] firstSeen) {
    }

    /** Token ids of a caption's words. */
    int[] tokens(List<String> words) {
        int[] out = new int[words.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = tokens.computeIfAbsent(words.get(i), w -> tokens.size());
        }
        return out;
    }

    /** How many distinct n-grams (all n) have ids so far: ids are 0 .. size()-1. */
    int size() {
        return grams.size();
    }

    /**
     * Dense ids for long keys, in order of first sight: an open-addressing table (no boxing: it is the
     * hot loop). Keys are never negative, so -1 marks a free slot.
     */
    private static final class LongIds {
        private long[] keys = newKeys(1 << 12);
        private int[] values = new int[1 << 12];
        private int size;

        private static long[] newKeys(int n) {
            long[] k = new long[n];
            Arrays.fill(k, -1L);
            return k;
        }

        int id(long key) {
            int mask = keys.length - 1;
            int at = mix(key) & mask;
            long k;
            while ((k = keys[at]) != -1L) {
                if (k == key) {
                    return values[at];
                }
                at = (at + 1) & mask;
            }
            keys[at] = key;
            values[at] = size;
            if (++size * 2 > keys.length) {
                grow();
            }
            return size - 1;
        }

        int size() {
            return size;
        }

        private void grow() {
            long[] oldKeys = keys;
            int[] oldValues = values;
            keys = newKeys(oldKeys.length * 2);
            values = new int[oldKeys.length * 2];
            int mask = keys.length - 1;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != -1L) {
                    int at = mix(oldKeys[i]) & mask;
                    while (keys[at] != -1L) {
                        at = (at + 1) & mask;
                    }
                    keys[at] = oldKeys[i];
                    values[at] = oldValues[i];
                }
            }
        }

        private static int mix(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32));
        }
    }

    Counts count(int[] words) {
        int[][] all = new int[MAX_N][];
        for (int n = 0; n < MAX_N; n++) {
            all[n] = new int[Math.max(0, words.length - n)];
        }
        for (int i = 0; i < words.length; i++) {
            int prefix = -1;
            for (int n = 0; n < MAX_N && i + n < words.length; n++) {
                prefix = grams.id(((long) (prefix + 1) << 32) | words[i + n]);
                all[n][i] = prefix;
            }
        }
        int[][] ids = new int[MAX_N][];
        int[][] counts = new int[MAX_N][];
        int[][] firstSeen = new int[MAX_N][];
        for (int n = 0; n < MAX_N; n++) {
            int[] sorted = all[n].clone();
            Arrays.sort(sorted);
            int distinct = 0;
            for (int i = 0; i < sorted.length; i++) {
                if (i == 0 || sorted[i] != sorted[i - 1]) {
                    distinct++;
                }
            }
            ids[n] = new int[distinct];
            counts[n] = new int[distinct];
            int k = -1;
            for (int i = 0; i < sorted.length; i++) {
                if (i == 0 || sorted[i] != sorted[i - 1]) {
                    ids[n][++k] = sorted[i];
                }
                counts[n][k]++;
            }
            firstSeen[n] = new int[distinct];
            boolean[] seen = new boolean[distinct];
            int f = 0;
            for (int gram : all[n]) {
                int at = Arrays.binarySearch(ids[n], gram);
                if (!seen[at]) {
                    seen[at] = true;
                    firstSeen[n][f++] = at;
                }
            }
        }
        return new Counts(ids, counts, firstSeen);
    }
}
