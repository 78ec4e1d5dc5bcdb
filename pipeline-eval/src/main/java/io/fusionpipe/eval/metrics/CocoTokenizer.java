package io.fusionpipe.eval.metrics;

import edu.stanford.nlp.ling.Word;
import edu.stanford.nlp.process.PTBTokenizer;
import edu.stanford.nlp.process.WordTokenFactory;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The COCO caption toolkit's tokenization, in-process: Stanford CoreNLP 3.4.1's PTBTokenizer with
 * the toolkit's {@code -preserveLines -lowerCase} over the captions joined by newlines (each
 * caption's own newlines turned into spaces first), then the toolkit's punctuation drop list.
 * Like the toolkit, one call tokenizes one group of captions (all references, or one system's
 * candidates); the lexer sees them as one text, as it does there.
 */
public final class CocoTokenizer {

    /** Tokens the toolkit drops after tokenizing (compared after lower-casing, so "-lrb-" survives). */
    static final Set<String> DROPPED = Set.of("''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-",
            "--", "...", ";");

    private CocoTokenizer() {
    }

    /**
     * Characters that end a line for the Java tokenizer but not for the toolkit's Python side: the
     * toolkit then shifts every later caption onto the wrong image. Such captions are refused.
     */
    public static int lineBreakCharacter(String caption) {
        for (int i = 0; i < caption.length(); i++) {
            char c = caption.charAt(i);
            if (c == '\r' || c == '\u000B' || c == '\f' || c == '\u2028' || c == '\u2029' || c == '\u0085') {
                return i;
            }
        }
        return -1;
    }

    /** The tokenized form of each caption, in order: lower-case tokens joined by single spaces. */
    public static List<String> tokenize(List<String> captions) {
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < captions.size(); i++) {
            String c = captions.get(i);
            int bad = lineBreakCharacter(c);
            if (bad >= 0) {
                throw new IllegalArgumentException("caption " + (i + 1) + " has a line-break character U+"
                        + String.format(Locale.ROOT, "%04X", (int) c.charAt(bad)) + " at " + bad
                        + " that the COCO toolkit's tokenizer mis-handles; replace it with a space: " + abbreviate(c));
            }
            if (i > 0) {
                joined.append('\n');
            }
            joined.append(c.replace('\n', ' '));
        }
        List<String> lines = new ArrayList<>(captions.size());
        StringBuilder line = new StringBuilder();
        // plain Word tokens: the same text as the toolkit's CoreLabels without their per-token annotation maps
        PTBTokenizer<Word> tokenizer = new PTBTokenizer<>(new StringReader(joined.toString()), new WordTokenFactory(), "tokenizeNLs");
        while (tokenizer.hasNext()) {
            String word = tokenizer.next().word();
            if (word.equals(PTBTokenizer.getNewlineToken())) {
                lines.add(clean(line));
                line.setLength(0);
            } else {
                if (line.length() > 0) {
                    line.append(' ');
                }
                line.append(word.toLowerCase(Locale.ENGLISH));
            }
        }
        lines.add(clean(line));
        // trailing empty captions produce no tokens at all
        while (lines.size() < captions.size()) {
            lines.add("");
        }
        if (lines.size() != captions.size()) {
            throw new IllegalStateException("tokenizer returned " + lines.size() + " lines for " + captions.size() + " captions");
        }
        return lines;
    }

    /** The toolkit's post-processing of one output line: rstrip, split on ' ', drop punctuation, join. */
    private static String clean(CharSequence line) {
        String s = PythonStrings.rstrip(line.toString());
        StringBuilder out = new StringBuilder();
        for (String w : s.split(" ", -1)) {
            if (!DROPPED.contains(w)) {
                if (out.length() > 0) {
                    out.append(' ');
                }
                out.append(w);
            }
        }
        return out.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
