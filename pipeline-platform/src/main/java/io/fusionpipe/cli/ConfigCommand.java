package io.fusionpipe.cli;

import io.fusionpipe.config.ConfigSchema;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.config.KeySpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.Map;

/** {@code fusionpipe config show|keys}: the effective configuration and the documented keys. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Show the effective configuration or the table of documented keys.",
        subcommands = {ConfigCommand.Show.class, ConfigCommand.Keys.class})
public final class ConfigCommand implements FusionCommand {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new UsageException("config: missing sub-command (show or keys); see fusionpipe config --help");
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print the effective configuration (validated) as HOCON.")
    static final class Show implements java.util.concurrent.Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Option(names = "--origins", description = "Say above each value which file or flag it came from.")
        boolean origins;

        @Option(names = "--show-secrets", description = "Print secret values (passwords, keys, tokens) instead of <redacted>.")
        boolean showSecrets;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            FusionConfig config = options.load();
            PrintWriter out = spec.commandLine().getOut();
            out.print(config.render(origins, showSecrets));
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true,
            description = "List every documented key with its type, default and meaning.")
    static final class Keys implements java.util.concurrent.Callable<Integer> {
        @Option(names = "--markdown", description = "As a Markdown table (the one in docs/configuration.md).")
        boolean markdown;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Map<String, KeySpec> keys = ConfigSchema.fromClasspath().keys();
            if (markdown) {
                out.println(markdownTable(keys));
            } else {
                for (KeySpec k : keys.values()) {
                    out.printf("%s = %s%n    %s%n    %s%n", k.path(), k.renderedDefault(), k.rule().describe(), k.doc());
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** The key table, one row per key. */
    public static String markdownTable(Map<String, KeySpec> keys) {
        StringBuilder s = new StringBuilder("| key | default | type | meaning |\n|---|---|---|---|\n");
        for (KeySpec k : keys.values()) {
            s.append("| `").append(k.path()).append("` | `").append(k.renderedDefault().replace("|", "\\|"))
                    .append("` | ").append(k.rule().describe().replace("|", "\\|"))
                    .append(" | ").append(k.doc().replace("|", "\\|")).append(" |\n");
        }
        return s.toString();
    }
}
