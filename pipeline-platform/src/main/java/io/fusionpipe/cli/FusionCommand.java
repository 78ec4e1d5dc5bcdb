package io.fusionpipe.cli;

import java.util.concurrent.Callable;

/**
 * A top-level {@code fusionpipe} sub-command. Implementations carry picocli's {@code @Command}
 * annotation and are registered in {@code META-INF/services/io.fusionpipe.cli.FusionCommand}, so
 * each module contributes its own commands and the launcher lists whatever is on the classpath.
 * The call returns an {@link ExitCodes exit code}.
 */
public interface FusionCommand extends Callable<Integer> {
}
