package io.fusionpipe.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Builds the effective configuration. Precedence, lowest first:
 * reference.conf (all modules on the classpath) &lt; each {@code --config FILE} in the order given &lt;
 * {@code -Dfusionpipe.*} system properties &lt; each {@code --set key=value} in the order given.
 * Then validates every key against {@link ConfigSchema} and reports all problems at once.
 */
public final class ConfigLoader {

    private final ConfigSchema schema;
    private final List<Path> files = new ArrayList<>();
    private final LinkedHashMap<String, String> sets = new LinkedHashMap<>();
    private Properties systemProperties = System.getProperties();

    public ConfigLoader(ConfigSchema schema) {
        this.schema = schema;
    }

    public static ConfigLoader fromClasspath() {
        return new ConfigLoader(ConfigSchema.fromClasspath());
    }

    public ConfigLoader file(Path file) {
        files.add(file);
        return this;
    }

    public ConfigLoader files(List<Path> more) {
        files.addAll(more);
        return this;
    }

    /** A {@code key=value} override; keys without the {@code fusionpipe.} prefix get it. */
    public ConfigLoader set(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new ConfigValidationException(List.of(new ConfigProblem(assignment, null, "--set",
                    "expected key=value, e.g. --set fusionpipe.spark.master=local[2]")));
        }
        return set(assignment.substring(0, eq).trim(), assignment.substring(eq + 1));
    }

    public ConfigLoader set(String key, String value) {
        sets.put(qualify(key), value);
        return this;
    }

    public ConfigLoader sets(List<String> assignments) {
        assignments.forEach(this::set);
        return this;
    }

    /** Replaces the system properties consulted for -Dfusionpipe.* overrides (tests). */
    public ConfigLoader systemProperties(Properties properties) {
        this.systemProperties = properties;
        return this;
    }

    static String qualify(String key) {
        return key.equals(ConfigSchema.ROOT) || key.startsWith(ConfigSchema.ROOT + ".") ? key : ConfigSchema.ROOT + "." + key;
    }

    /** Loads, merges, resolves and validates; throws {@link ConfigValidationException} listing every problem. */
    public FusionConfig load() {
        List<ConfigProblem> problems = new ArrayList<>();
        Config merged = schema.reference();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                problems.add(new ConfigProblem(file.toString(), null, "--config",
                        Files.exists(file) ? "not a regular file" : "config file does not exist"));
                continue;
            }
            try {
                Config parsed = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
                merged = parsed.withFallback(merged);
            } catch (ConfigException e) {
                problems.add(new ConfigProblem(file.toString(), null, "--config", "cannot parse: " + e.getMessage()));
            }
        }
        merged = overrides(systemPropertyOverrides(), "-D system property", problems).withFallback(merged);
        merged = overrides(sets, "--set", problems).withFallback(merged);
        if (!problems.isEmpty()) {
            throw new ConfigValidationException(problems);
        }
        Config resolved;
        try {
            resolved = merged.resolve(ConfigResolveOptions.defaults());
        } catch (ConfigException e) {
            throw new ConfigValidationException(List.of(new ConfigProblem(ConfigSchema.ROOT, null, null,
                    "cannot resolve substitutions: " + e.getMessage())));
        }
        problems.addAll(validate(resolved));
        if (!problems.isEmpty()) {
            throw new ConfigValidationException(problems);
        }
        return new FusionConfig(typed(resolved), schema, List.copyOf(files), new LinkedHashMap<>(sets));
    }

    private Map<String, String> systemPropertyOverrides() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : systemProperties.stringPropertyNames()) {
            if (name.startsWith(ConfigSchema.ROOT + ".")) {
                out.put(name, systemProperties.getProperty(name));
            }
        }
        return out;
    }

    /**
     * Turns textual overrides into config values. Lists and maps are parsed as HOCON
     * ({@code [a, b]}, {@code {k = v}}); everything else is kept as the literal string, so that
     * {@code hdfs://nn/path} or {@code local[*]} need no quoting, and typesafe's own conversion
     * reads numbers, booleans, durations and sizes from it.
     */
    private Config overrides(Map<String, String> entries, String originName, List<ConfigProblem> problems) {
        Config out = ConfigFactory.empty(originName);
        for (Map.Entry<String, String> e : entries.entrySet()) {
            String key = e.getKey();
            String raw = e.getValue();
            try {
                ConfigValue value;
                Optional<KeySpec> spec = schema.spec(key);
                boolean structured = spec.isPresent()
                        && (spec.get().rule().kind() == TypeRule.Kind.LIST || spec.get().rule().kind() == TypeRule.Kind.MAP);
                if (structured) {
                    value = ConfigFactory.parseString("v = " + raw, ConfigParseOptions.defaults().setOriginDescription(originName))
                            .getValue("v");
                } else {
                    value = ConfigValueFactory.fromAnyRef(raw, originName);
                }
                out = out.withValue(key, value);
            } catch (ConfigException e2) {
                problems.add(new ConfigProblem(key, quote(raw), originName, "cannot parse: " + e2.getMessage()));
            }
        }
        return out;
    }

    /**
     * Overrides arrive as strings; once they validate, store numbers and booleans as such, so that
     * {@code config show} and the snapshots written next to outputs carry typed values.
     */
    private Config typed(Config config) {
        Config out = config;
        for (KeySpec spec : schema.keys().values()) {
            ConfigValue v = config.getValue(spec.path());
            if (v.valueType() != ConfigValueType.STRING) {
                continue;
            }
            Object typedValue;
            switch (spec.rule().kind()) {
                case INT: typedValue = config.getInt(spec.path()); break;
                case LONG: typedValue = config.getLong(spec.path()); break;
                case DOUBLE: typedValue = config.getDouble(spec.path()); break;
                case BOOL: typedValue = config.getBoolean(spec.path()); break;
                default: continue;
            }
            out = out.withValue(spec.path(), ConfigValueFactory.fromAnyRef(typedValue, v.origin().description()));
        }
        return out;
    }

    List<ConfigProblem> validate(Config config) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (!config.hasPath(ConfigSchema.ROOT) || config.getValue(ConfigSchema.ROOT).valueType() != ConfigValueType.OBJECT) {
            problems.add(new ConfigProblem(ConfigSchema.ROOT, null, null, "must be an object holding the settings"));
            return problems;
        }
        for (KeySpec spec : schema.keys().values()) {
            String path = spec.path();
            if (!config.hasPathOrNull(path)) {
                problems.add(new ConfigProblem(path, null, null,
                        "missing; expected " + spec.rule().describe() + " (was a parent key replaced by a single value?)"));
                continue;
            }
            if (config.getIsNull(path)) {
                problems.add(new ConfigProblem(path, "null", originOf(config, path), "expected " + spec.rule().describe()));
                continue;
            }
            Optional<String> problem = spec.rule().check(config, path);
            if (problem.isPresent()) {
                ConfigValue v = config.getValue(path);
                problems.add(new ConfigProblem(path, quote(v.render(ConfigRenderOptions.concise())), v.origin().description(),
                        problem.get() + "; expected " + spec.rule().describe()));
            }
        }
        for (Map.Entry<String, ConfigValue> e : config.getConfig(ConfigSchema.ROOT).entrySet()) {
            String path = ConfigSchema.ROOT + "." + e.getKey();
            if (schema.spec(path).isPresent() || schema.enclosingMap(path).isPresent()
                    || schema.inAbsentModuleSection(path) || coveredByLeafSpec(path)) {
                continue;
            }
            problems.add(new ConfigProblem(path, quote(e.getValue().render(ConfigRenderOptions.concise())),
                    e.getValue().origin().description(), "unknown key; closest valid key: " + schema.closestKey(path)));
        }
        return problems;
    }

    /** A child under a scalar key (e.g. fusionpipe.root.x) is already reported by the scalar's own check. */
    private boolean coveredByLeafSpec(String path) {
        String p = path;
        int dot;
        while ((dot = p.lastIndexOf('.')) > 0) {
            p = p.substring(0, dot);
            Optional<KeySpec> s = schema.spec(p);
            if (s.isPresent()) {
                return s.get().rule().kind() != TypeRule.Kind.MAP;
            }
        }
        return false;
    }

    /** Origin of a value that may be null (typesafe's getValue refuses nulls, the parent object does not). */
    private static String originOf(Config config, String path) {
        List<String> parts = com.typesafe.config.ConfigUtil.splitPath(path);
        ConfigValue v = config.root();
        for (String part : parts) {
            if (!(v instanceof com.typesafe.config.ConfigObject)) {
                return null;
            }
            v = ((com.typesafe.config.ConfigObject) v).get(part);
            if (v == null) {
                return null;
            }
        }
        return v.origin().description();
    }

    private static String quote(String s) {
        String t = s.length() > 120 ? s.substring(0, 117) + "..." : s;
        return t.startsWith("\"") ? t : "'" + t + "'";
    }
}
