package io.fusionpipe.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The validated, resolved configuration of one command. Driver-side only: stages read what they
 * need into small typed settings records and ship those to executors, never this object.
 */
public final class FusionConfig {

    private final Config config;
    private final ConfigSchema schema;
    private final List<Path> files;
    private final LinkedHashMap<String, String> sets;

    FusionConfig(Config config, ConfigSchema schema, List<Path> files, LinkedHashMap<String, String> sets) {
        this.config = config;
        this.schema = schema;
        this.files = files;
        this.sets = sets;
    }

    /** The whole resolved config (typesafe). Read it through typed settings records. */
    public Config config() {
        return config;
    }

    public ConfigSchema schema() {
        return schema;
    }

    /** The {@code --config} files, in precedence order. */
    public List<Path> files() {
        return files;
    }

    /** The {@code --set} overrides, in the order given. */
    public Map<String, String> sets() {
        return sets;
    }

    /** Entries of a map-typed key as flat {@code dotted.key -> string} pairs. */
    public Map<String, String> stringMap(String path) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : config.getConfig(path).entrySet()) {
            String key = String.join(".", ConfigUtil.splitPath(e.getKey()));
            out.put(key, String.valueOf(e.getValue().unwrapped()));
        }
        return out;
    }

    /** The fusionpipe.* subtree as HOCON: what is written next to every output and what {@code config show} prints. */
    public String render() {
        return header() + config.getConfig(ConfigSchema.ROOT).atPath(ConfigSchema.ROOT).root()
                .render(ConfigRenderOptions.defaults().setOriginComments(false).setComments(false).setJson(false));
    }

    /** Like {@link #render()} but with a comment above every value saying which file or flag it came from. */
    public String renderWithOrigins() {
        return header() + config.getConfig(ConfigSchema.ROOT).atPath(ConfigSchema.ROOT).root()
                .render(ConfigRenderOptions.defaults().setOriginComments(true).setComments(false).setJson(false));
    }

    private String header() {
        StringBuilder s = new StringBuilder("# Effective Fusionpipe configuration (reference.conf");
        for (Path f : files) {
            s.append(" < ").append(f);
        }
        if (!sets.isEmpty()) {
            s.append(" < --set");
        }
        return s.append(")\n").toString();
    }
}
