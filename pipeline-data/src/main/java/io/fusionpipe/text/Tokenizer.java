package io.fusionpipe.text;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word-level tokenizer: words (letters, digits, inner apostrophes and hyphens), numbers, and every
 * other non-space character as its own token. Optionally lower-cased. Caption text is
 * ASCII in this domain, but any Unicode text works.
 */
public final class Tokenizer implements Serializable {

    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}]+(?:['’-][\\p{L}\\p{N}]+)*|[^\\s\\p{L}\\p{N}]");

    private final boolean lowercase;

    public Tokenizer(boolean lowercase) {
        this.lowercase = lowercase;
    }

    public boolean lowercase() {
        return lowercase;
    }

    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        Matcher m = TOKEN.matcher(lowercase ? text.toLowerCase(Locale.ROOT) : text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Joins tokens back into text: spaces between words, none before closing punctuation. */
    public static String detokenize(List<String> tokens) {
        StringBuilder s = new StringBuilder();
        for (String t : tokens) {
            boolean attach = t.length() == 1 && ".,;:!?)]}".indexOf(t.charAt(0)) >= 0;
            if (s.length() > 0 && !attach && !(s.charAt(s.length() - 1) == '(')) {
                s.append(' ');
            }
            s.append(t);
        }
        return s.toString();
    }
}
