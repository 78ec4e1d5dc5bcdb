package io.fusionpipe.eval.fields;

import io.fusionpipe.cards.CaptionTemplate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the card fields a caption states, leniently: generated captions are lower-case, may be cut
 * short, repeat phrases or miss pieces, so each field is found on its own by the template's phrase
 * around it (see CaptionTemplate), not by a whole-caption match. Values are compared after the same
 * normalisation on both sides (ASCII folding, lower case, single spaces, no space before punctuation).
 */
public final class CardFields {

    /** Fields in report order. "stage" is the subtypes phrase ("basic", "stage 1", ...). */
    public static final List<String> FIELDS = List.of("stage", "types", "name", "hp", "rarity", "evolves_from", "set", "flavor_text");

    private static final Map<String, Pattern> PATTERNS = new LinkedHashMap<>();

    static {
        PATTERNS.put("stage", Pattern.compile("^an? (.+?) pokemon card\\b"));
        PATTERNS.put("types", Pattern.compile("\\bof type (.+?) with the title\\b"));
        PATTERNS.put("name", Pattern.compile("\\bwith the title (.+?) and \\d+ hp\\b"));
        PATTERNS.put("hp", Pattern.compile("\\band (\\d+) hp\\b"));
        PATTERNS.put("rarity", Pattern.compile("\\bof rarity (.+?)(?= evolved from\\b| from the set\\b|\\.|$)"));
        PATTERNS.put("evolves_from", Pattern.compile("\\bevolved from (.+?)(?= from the set\\b|\\.|$)"));
        PATTERNS.put("set", Pattern.compile("\\bfrom the set (.+?)(?= and the flavor text|\\.|$)"));
        PATTERNS.put("flavor_text", Pattern.compile("\\band the flavor text ?: ?(.+?)\\s*$"));
    }

    private CardFields() {
    }

    /** Lower case, ASCII, single spaces, no space before . , ; : ! ? */
    public static String normalise(String caption) {
        String s = CaptionTemplate.foldAscii(caption == null ? "" : caption).toLowerCase(Locale.ROOT);
        s = s.replaceAll("\\s+", " ").trim();
        return s.replaceAll(" ([.,;:!?])", "$1");
    }

    /** The fields a caption states (absent keys: not stated). Empty for text that is not a card caption. */
    public static Map<String, String> extract(String caption) {
        String s = normalise(caption);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Pattern> e : PATTERNS.entrySet()) {
            Matcher m = e.getValue().matcher(s);
            if (m.find()) {
                out.put(e.getKey(), m.group(1).trim());
            }
        }
        return out;
    }

    /** Whether a reference caption follows the card template (else the field block is skipped). */
    public static boolean isCardCaption(String reference) {
        return isCard(extract(reference));
    }

    /** Whether fields read by {@link #extract} are a card caption's. */
    public static boolean isCard(Map<String, String> fields) {
        return fields.containsKey("stage") && fields.containsKey("types") && fields.containsKey("name");
    }
}
