package io.fusionpipe.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fusionpipe.json.Json;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Token ids for a dataset: the four special tokens first ({@code <pad>=0 <bos>=1 <eos>=2 <unk>=3}),
 * then words by descending count (ties alphabetical). Fitted on the train split only, saved with
 * the dataset as {@code vocab.json}, identified by {@link #hash()}.
 */
public final class Vocabulary implements Serializable {

    public static final String PAD = "<pad>";
    public static final String BOS = "<bos>";
    public static final String EOS = "<eos>";
    public static final String UNK = "<unk>";
    public static final int PAD_ID = 0;
    public static final int BOS_ID = 1;
    public static final int EOS_ID = 2;
    public static final int UNK_ID = 3;
    private static final List<String> SPECIALS = List.of(PAD, BOS, EOS, UNK);

    private final List<String> tokens;
    private final Map<String, Integer> ids;
    private final Tokenizer tokenizer;

    private Vocabulary(List<String> tokens, Tokenizer tokenizer) {
        this.tokens = Collections.unmodifiableList(new ArrayList<>(tokens));
        this.tokenizer = tokenizer;
        this.ids = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            if (ids.putIfAbsent(tokens.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate token '" + tokens.get(i) + "' at id " + i);
            }
        }
        if (!tokens.subList(0, Math.min(4, tokens.size())).equals(SPECIALS)) {
            throw new IllegalArgumentException("a vocabulary starts with " + SPECIALS + ", got " + tokens.subList(0, Math.min(4, tokens.size())));
        }
    }

    /**
     * Keeps words seen at least {@code minCount} times, the {@code maxSize} (including specials)
     * most frequent, ordered by count then alphabetically, so the same counts give the same ids.
     */
    public static Vocabulary fit(Map<String, Long> counts, long minCount, int maxSize, Tokenizer tokenizer) {
        List<Map.Entry<String, Long>> kept = new ArrayList<>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            if (e.getValue() >= minCount && !SPECIALS.contains(e.getKey())) {
                kept.add(e);
            }
        }
        kept.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        List<String> tokens = new ArrayList<>(SPECIALS);
        for (Map.Entry<String, Long> e : kept) {
            if (tokens.size() >= maxSize) {
                break;
            }
            tokens.add(e.getKey());
        }
        return new Vocabulary(tokens, tokenizer);
    }

    public int size() {
        return tokens.size();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public String token(int id) {
        return id >= 0 && id < tokens.size() ? tokens.get(id) : UNK;
    }

    public int id(String token) {
        return ids.getOrDefault(token, UNK_ID);
    }

    /** {@code <bos>} + token ids + {@code <eos>}, cut to {@code maxTokens} in all (the {@code <eos>} is kept). */
    public int[] encode(String text, int maxTokens) {
        List<String> words = tokenizer.tokenize(text);
        int n = Math.max(2, Math.min(words.size() + 2, maxTokens));
        int[] out = new int[n];
        out[0] = BOS_ID;
        for (int i = 1; i < n - 1; i++) {
            out[i] = id(words.get(i - 1));
        }
        out[n - 1] = EOS_ID;
        return out;
    }

    /** Text of token ids, stopping at {@code <eos>}, skipping {@code <bos>} and {@code <pad>}. */
    public String decode(int[] ids) {
        List<String> words = new ArrayList<>();
        for (int id : ids) {
            if (id == EOS_ID) {
                break;
            }
            if (id != BOS_ID && id != PAD_ID) {
                words.add(token(id));
            }
        }
        return Tokenizer.detokenize(words);
    }

    /** SHA-256 of the tokens in id order and the tokenizer settings: two datasets share ids iff hashes match. */
    public String hash() {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(("lowercase=" + tokenizer.lowercase() + "\n").getBytes(StandardCharsets.UTF_8));
            for (String t : tokens) {
                d.update(t.getBytes(StandardCharsets.UTF_8));
                d.update((byte) '\n');
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String toJson() {
        ObjectMapper json = Json.MAPPER;
        ObjectNode n = json.createObjectNode();
        n.put("format", "fusionpipe-vocab-1");
        n.put("lowercase", tokenizer.lowercase());
        n.put("size", tokens.size());
        n.put("hash", hash());
        ArrayNode a = n.putArray("tokens");
        tokens.forEach(a::add);
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@link #toJson()} output; a hash that does not match the tokens is an error. */
    public static Vocabulary fromJson(String text) {
        try {
            JsonNode n = Json.MAPPER.readTree(text);
            List<String> tokens = new ArrayList<>();
            n.path("tokens").forEach(t -> tokens.add(t.asText()));
            Vocabulary v = new Vocabulary(tokens, new Tokenizer(n.path("lowercase").asBoolean(true)));
            if (n.has("hash") && !n.get("hash").asText().equals(v.hash())) {
                throw new IllegalArgumentException("vocab.json: hash " + n.get("hash").asText() + " does not match its tokens (" + v.hash() + ")");
            }
            return v;
        } catch (IOException e) {
            throw new IllegalArgumentException("vocab.json is not valid JSON: " + e.getMessage(), e);
        }
    }
}
