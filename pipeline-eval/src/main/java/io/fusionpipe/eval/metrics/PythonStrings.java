package io.fusionpipe.eval.metrics;

import java.util.ArrayList;
import java.util.List;

/** Python's str.split() / str.split(" ") / str.rstrip() semantics, which the toolkit's scorers rely on. */
final class PythonStrings {

    private PythonStrings() {
    }

    /** Python's str.isspace for one character (Unicode whitespace: Zs, and bidi types WS, B, S). */
    static boolean isSpace(char c) {
        return switch (c) {
            case ' ', '\t', '\n', '\u000B', '\f', '\r', '\u001C', '\u001D', '\u001E', '\u001F', '\u0085', '\u00A0', '\u1680',
                    '\u2028', '\u2029', '\u202F', '\u205F', '\u3000' -> true;
            default -> c >= '\u2000' && c <= '\u200A';
        };
    }

    /** str.split(): runs of whitespace separate, no empty strings. */
    static List<String> splitWhitespace(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isSpace(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(s.substring(start, i));
            }
        }
        return out;
    }

    /** str.split(" "): every single space separates, empty strings kept ("" gives [""]). */
    static List<String> splitSpace(String s) {
        return List.of(s.split(" ", -1));
    }

    /**
     * Whether str.split(" ") and str.split() give the same words: a non-empty string whose only
     * whitespace is single spaces between words (what the tokenizer's output nearly always is).
     */
    static boolean splitsAlike(String s) {
        int n = s.length();
        if (n == 0 || s.charAt(0) == ' ' || s.charAt(n - 1) == ' ') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == ' ' ? s.charAt(i + 1) == ' ' : isSpace(c)) {
                return false;
            }
        }
        return true;
    }

    static String rstrip(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }
}
