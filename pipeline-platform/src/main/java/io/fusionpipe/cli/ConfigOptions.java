package io.fusionpipe.cli;

import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.config.FusionConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The options every command shares: where its configuration comes from. */
public final class ConfigOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "HOCON file layered over the defaults; repeatable, later files win.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one key (the fusionpipe. prefix may be left out); repeatable, wins over files and -D.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--root", paramLabel = "PATH",
            description = "Shorthand for --set fusionpipe.root=PATH (local, hdfs:// or s3a://).")
    String root;

    /** Adds an override as if given with --set, after the user's own (a command option that maps to a key). */
    public ConfigOptions set(String key, String value) {
        sets.add(key + "=" + value);
        return this;
    }

    /** These options as command-line arguments: what another command run in this JVM needs to load the same configuration. */
    public List<String> args() {
        List<String> out = new ArrayList<>();
        files.forEach(f -> out.addAll(List.of("--config", f.toString())));
        if (root != null) {
            out.addAll(List.of("--root", root));
        }
        sets.forEach(s -> out.addAll(List.of("--set", s)));
        return out;
    }

    /** Environment variable bin/fusionpipe sets to conf/application.conf: the base file, below every --config. */
    public static final String DEFAULT_CONFIG_ENV = "FUSIONPIPE_DEFAULT_CONFIG";

    /** Loads and validates; throws ConfigValidationException (exit 2) before any work starts. */
    public FusionConfig load() {
        return load(System.getenv(DEFAULT_CONFIG_ENV));
    }

    /**
     * Loads with more overrides ({@code key=value}), as if given last with --set, without keeping them
     * (one of several runs a command starts, each under its own values of some keys).
     */
    public FusionConfig loadWith(String... assignments) {
        List<String> before = new ArrayList<>(sets);
        sets.addAll(List.of(assignments));
        try {
            return load();
        } finally {
            sets = before;
        }
    }

    FusionConfig load(String defaultConfig) {
        ConfigLoader loader = ConfigLoader.fromClasspath();
        if (defaultConfig != null && !defaultConfig.isBlank()) {
            loader.file(Path.of(defaultConfig));
        }
        loader.files(files);
        if (root != null) {
            loader.set("fusionpipe.root", root);
        }
        return loader.sets(sets).load();
    }
}
