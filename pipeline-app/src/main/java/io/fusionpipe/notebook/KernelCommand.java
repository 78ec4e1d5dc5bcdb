package io.fusionpipe.notebook;

import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.UsageException;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code fusionpipe kernel --connection-file F}: the Java Jupyter kernel that notebooks/ run on
 * (Jupyter starts it; see notebooks/install-kernel.sh for its kernel.json).
 */
@Command(name = "kernel", mixinStandardHelpOptions = true,
        description = "Run a Jupyter kernel for Java (JShell) on Fusionpipe's classpath; Jupyter starts it with a connection file.")
public final class KernelCommand implements FusionCommand {

    @Option(names = "--connection-file", required = true, paramLabel = "FILE", description = "The connection file Jupyter wrote.")
    Path connectionFile;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(connectionFile)) {
            throw new UsageException("--connection-file " + connectionFile + ": not a readable file");
        }
        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(connectionFile));
        JupyterConnection connection = new JupyterConnection(props);
        JavaKernel kernel = JavaKernel.create();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
        return 0;
    }
}
