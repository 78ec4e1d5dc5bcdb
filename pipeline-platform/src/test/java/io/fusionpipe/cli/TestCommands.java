package io.fusionpipe.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Commands registered only on the test classpath, to prove how the launcher maps failures to exit codes. */
final class TestCommands {

    private TestCommands() {
    }

    @Command(name = "test-crash", description = "Validates config, then fails at run time (test only).")
    public static final class Crash implements FusionCommand {
        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() {
            options.load();
            throw new IllegalStateException("disk on fire", new java.io.IOException("write failed: /x/y"));
        }
    }

    @Command(name = "test-misuse", description = "Rejects its input at run time (test only).")
    public static final class Misuse implements FusionCommand {
        @Override
        public Integer call() {
            throw new UsageException("dataset 'cards' has no version 7 (latest is v2)");
        }
    }
}
