package io.fusionpipe.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every key under {@code fusionpipe.*} that the modules on the classpath declare in their
 * reference.conf, with its rule. Sections owned by a module that is not on the classpath (a job
 * jar carries only its own stage) are known by name, so their keys are neither validated nor
 * reported as unknown here: the job that owns them validates them.
 */
public final class ConfigSchema {

    public static final String ROOT = "fusionpipe";

    /** Top-level sections under fusionpipe.* owned by stage modules, and the module that declares each. */
    public static final Map<String, String> MODULE_SECTIONS = Map.of(
            "generate", "pipeline-generate",
            "ingest", "pipeline-ingest",
            "train", "pipeline-train",
            "eval", "pipeline-eval",
            "report", "pipeline-report",
            "registry", "pipeline-report",
            "nightly", "pipeline-app");

    private static final String TYPE_TAG = "@type";

    private final Map<String, KeySpec> keys;
    private final Config reference;

    private ConfigSchema(Map<String, KeySpec> keys, Config reference) {
        this.keys = Collections.unmodifiableMap(keys);
        this.reference = reference;
    }

    /** The schema of all reference.conf files visible to this thread's class loader. */
    public static ConfigSchema fromClasspath() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = ConfigSchema.class.getClassLoader();
        }
        return from(ConfigFactory.parseResourcesAnySyntax("reference", ConfigParseOptions.defaults().setClassLoader(loader)));
    }

    /** Builds the schema from an unresolved reference config. */
    public static ConfigSchema from(Config reference) {
        Map<String, KeySpec> keys = new TreeMap<>();
        if (reference.root().containsKey(ROOT)) {
            ConfigValue root = reference.root().get(ROOT);
            if (root.valueType() != ConfigValueType.OBJECT) {
                throw new IllegalStateException("reference.conf: '" + ROOT + "' must be an object");
            }
            collect(ROOT, (ConfigObject) root, keys);
        }
        return new ConfigSchema(keys, reference);
    }

    /** The unresolved reference config the schema was read from: the lowest layer of every effective config. */
    public Config reference() {
        return reference;
    }

    private static void collect(String prefix, ConfigObject object, Map<String, KeySpec> out) {
        for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
            String path = prefix + "." + ConfigUtil.joinPath(e.getKey());
            ConfigValue value = e.getValue();
            Optional<String> rule = typeLine(value);
            if (value.valueType() == ConfigValueType.OBJECT && rule.isEmpty()) {
                collect(path, (ConfigObject) value, out);
                continue;
            }
            if (rule.isEmpty()) {
                throw new IllegalStateException("reference.conf key " + path + " (" + value.origin().description()
                        + ") has no '" + TYPE_TAG + "' line in its doc comment");
            }
            TypeRule parsed;
            try {
                parsed = TypeRule.parse(rule.get());
            } catch (IllegalArgumentException ex) {
                throw new IllegalStateException("reference.conf key " + path + ": " + ex.getMessage(), ex);
            }
            out.put(path, new KeySpec(path, doc(value), parsed, value));
        }
    }

    private static Optional<String> typeLine(ConfigValue value) {
        for (String line : value.origin().comments()) {
            String t = line.trim();
            if (t.startsWith(TYPE_TAG)) {
                return Optional.of(t.substring(TYPE_TAG.length()).trim());
            }
        }
        return Optional.empty();
    }

    private static String doc(ConfigValue value) {
        List<String> lines = new ArrayList<>();
        for (String line : value.origin().comments()) {
            String t = line.trim();
            if (!t.startsWith(TYPE_TAG) && !t.isEmpty()) {
                lines.add(t);
            }
        }
        return String.join(" ", lines);
    }

    public Map<String, KeySpec> keys() {
        return keys;
    }

    public Optional<KeySpec> spec(String path) {
        return Optional.ofNullable(keys.get(path));
    }

    /** The map-typed key that {@code path} lies under, if any (its children are free-form). */
    public Optional<KeySpec> enclosingMap(String path) {
        String p = path;
        int dot;
        while ((dot = p.lastIndexOf('.')) > 0) {
            p = p.substring(0, dot);
            KeySpec s = keys.get(p);
            if (s != null) {
                return s.rule().kind() == TypeRule.Kind.MAP ? Optional.of(s) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** True when the path lies in a stage section whose module is not on the classpath. */
    public boolean inAbsentModuleSection(String path) {
        String section = topSection(path);
        return section != null && MODULE_SECTIONS.containsKey(section) && !hasSection(section);
    }

    public boolean hasSection(String section) {
        String prefix = ROOT + "." + section + ".";
        return keys.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    static String topSection(String path) {
        if (!path.startsWith(ROOT + ".")) {
            return null;
        }
        String rest = path.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    /** The known key nearest to {@code unknown} by edit distance (also offering absent modules' sections). */
    public String closestKey(String unknown) {
        List<String> candidates = new ArrayList<>(keys.keySet());
        for (Map.Entry<String, String> section : MODULE_SECTIONS.entrySet()) {
            if (!hasSection(section.getKey())) {
                candidates.add(ROOT + "." + section.getKey() + ".*");
            }
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(unknown, c);
            // Typos in the last segment are the common case: compare leaf names too.
            int leaf = distance(leaf(unknown), leaf(c)) + distance(parent(unknown), parent(c));
            int score = Math.min(d, leaf);
            if (score < bestDistance || (score == bestDistance && c.compareTo(best) < 0)) {
                best = c;
                bestDistance = score;
            }
        }
        return best;
    }

    private static String leaf(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    private static String parent(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(0, dot);
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
