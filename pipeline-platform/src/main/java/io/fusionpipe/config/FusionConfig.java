package io.fusionpipe.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;

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

    /**
     * This configuration with one known key set to {@code value}, as if given last with --set: for a
     * value a command takes from its own records (a resumed run's seed), so that what it saves says so.
     */
    public FusionConfig with(String path, Object value) {
        if (schema.spec(path).isEmpty()) {
            throw new IllegalArgumentException("not a configuration key: " + path);
        }
        LinkedHashMap<String, String> more = new LinkedHashMap<>(sets);
        more.put(path, String.valueOf(value));
        return new FusionConfig(config.withValue(path, ConfigValueFactory.fromAnyRef(value, "set by the command")), schema, files, more);
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

    /** What a secret value is rendered as. */
    public static final String REDACTED = "<redacted>";

    private static final java.util.Set<String> SECRET_WORDS = java.util.Set.of("password", "passwd", "pwd", "passphrase", "secret",
            "secrets", "token", "credential", "credentials", "apikey", "sas");
    /** Words that make a following "key" a secret one (S3 access keys, Azure account keys, SSE-C keys, API keys). */
    private static final java.util.Set<String> KEY_KINDS = java.util.Set.of("access", "private", "account", "api", "encryption",
            "signing", "client");

    /**
     * True when a key's value is a secret: one of its words (split at '.', '_', '-', quotes and
     * camelCase) is a password, passphrase, secret, token, credential, API key or SAS, or it names an
     * access, private, account, API, encryption, signing or client key, e.g.
     * {@code spark.conf."spark.hadoop.fs.s3a.secret.key"}, {@code ...access.key},
     * {@code spark.ssl.keyStorePassword}, {@code fs.azure.account.key.NAME.blob.core.windows.net}.
     * ({@code max-tokens} is not: "tokens" is another word.)
     */
    public static boolean isSecret(String path) {
        String[] words = path.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT).split("[^a-z0-9]+");
        for (int i = 0; i < words.length; i++) {
            if (SECRET_WORDS.contains(words[i])
                    || (words[i].equals("key") && i > 0 && KEY_KINDS.contains(words[i - 1]))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The fusionpipe.* subtree as HOCON, secret values replaced by {@link #REDACTED}: what is written
     * next to every output and what {@code config show} prints. The jobs themselves read the real values.
     */
    public String render() {
        return render(false, false);
    }

    /** Like {@link #render()} but with a comment above every value saying which file or flag it came from. */
    public String renderWithOrigins() {
        return render(true, false);
    }

    /**
     * The fusionpipe.* subtree as HOCON, with origin comments if asked; secret values as they are only
     * when {@code showSecrets} ({@code config show --show-secrets}, for a terminal: never for a file).
     */
    public String render(boolean origins, boolean showSecrets) {
        Config c = showSecrets ? config.getConfig(ConfigSchema.ROOT).atPath(ConfigSchema.ROOT) : redacted();
        return header() + c.root().render(ConfigRenderOptions.defaults().setOriginComments(origins).setComments(false).setJson(false));
    }

    private Config redacted() {
        Config out = config.getConfig(ConfigSchema.ROOT).atPath(ConfigSchema.ROOT);
        for (Map.Entry<String, ConfigValue> e : out.entrySet()) {
            if (isSecret(e.getKey()) && e.getValue().valueType() != ConfigValueType.OBJECT) {
                out = out.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(REDACTED, "redacted"));
            }
        }
        return out;
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
