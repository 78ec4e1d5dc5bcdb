package io.fusionpipe.ingest;

import java.text.Normalizer;

/** Caption checks and normalisation, and the choice of the training target text. */
public final class CaptionRules {

    private CaptionRules() {
    }

    /** NFKC, whitespace runs to one space, trimmed; rejects empty, undecodable and over-long captions. */
    public static String normalize(String caption, int maxChars) throws Rejection {
        if (caption == null || caption.isBlank()) {
            throw new Rejection(RejectReason.EMPTY_CAPTION, caption == null ? "no caption" : "whitespace only");
        }
        if (caption.indexOf('\uFFFD') >= 0) {
            // Spark's text readers turn bytes that are not UTF-8 into U+FFFD.
            throw new Rejection(RejectReason.INVALID_UTF8, "contains U+FFFD (bytes that are not UTF-8)");
        }
        String n = Normalizer.normalize(caption, Normalizer.Form.NFKC).replaceAll("\\s+", " ").trim();
        if (n.isEmpty()) {
            throw new Rejection(RejectReason.EMPTY_CAPTION, "empty after normalisation");
        }
        if (n.length() > maxChars) {
            throw new Rejection(RejectReason.CAPTION_TOO_LONG, n.length() + " chars > " + maxChars);
        }
        return n;
    }

    /**
     * The training target. {@code first-sentence}: the text before the first ". " (or a final "."),
     * as {@code caption.split(".")[0]} in the public case study but keeping dots inside words and
     * numbers; {@code full}: the whole caption (token ids are cut to max-tokens later).
     */
    public static String target(String caption, String rule) {
        if (!rule.equals("first-sentence")) {
            return caption;
        }
        int cut = caption.indexOf(". ");
        String s = cut >= 0 ? caption.substring(0, cut) : caption;
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
