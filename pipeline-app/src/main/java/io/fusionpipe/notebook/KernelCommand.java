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
        requireSigning(props, connectionFile);
        JupyterConnection connection = new JupyterConnection(props);
        JavaKernel kernel = JavaKernel.create();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
        return 0;
    }

    /**
     * Jupyter signs every message with the connection file's key; with an empty key anyone who can reach
     * the kernel's ports runs code in it, so that is refused rather than served unsigned.
     */
    static void requireSigning(KernelConnectionProperties props, Path file) {
        if (props.getKey() == null || props.getKey().isBlank()) {
            throw new UsageException("--connection-file " + file + ": \"key\" is empty, so messages would not be signed and anyone"
                    + " reaching the kernel's ports could run code; start the kernel from Jupyter, which writes a random key");
        }
        String scheme = props.getSignatureScheme() == null ? "" : props.getSignatureScheme();
        if (!scheme.startsWith("hmac-")) {
            throw new UsageException("--connection-file " + file + ": signature_scheme '" + scheme + "' is not an HMAC scheme (e.g. hmac-sha256)");
        }
    }
}
