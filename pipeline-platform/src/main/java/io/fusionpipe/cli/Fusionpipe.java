package io.fusionpipe.cli;

import io.fusionpipe.BuildInfo;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The launcher's main class: {@code fusionpipe <command> [options]}. Commands come from the
 * modules on the classpath (ServiceLoader). Every stage's own main class (what
 * {@code spark-submit --class} runs) goes through {@link #run(Object, String...)} too, so exit
 * codes and error reporting are the same either way.
 */
@Command(name = "fusionpipe", mixinStandardHelpOptions = true, versionProvider = Fusionpipe.Version.class,
        description = "Fine-tune and compare multimodal (image + text) caption models on Spark.",
        footer = {"", ExitCodes.HELP})
public final class Fusionpipe implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs {@code fusionpipe ARGS} and returns the exit code. */
    public static int execute(String... args) {
        return commandLine(new Fusionpipe(), discover()).execute(args);
    }

    /** Like {@link #execute(String...)} with the command's output and errors captured (tests, embedding). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(new Fusionpipe(), discover());
        cl.setOut(out);
        cl.setErr(err);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Runs one command object as its own program (a stage's spark-submit main class) and returns the exit code. */
    public static int run(Object command, String... args) {
        return commandLine(command, List.of()).execute(args);
    }

    /** Commands registered by the modules on the classpath, sorted by name. */
    public static List<FusionCommand> discover() {
        List<FusionCommand> out = new ArrayList<>();
        ServiceLoader.load(FusionCommand.class).forEach(out::add);
        out.sort(Comparator.comparing(c -> new CommandLine(c).getCommandName()));
        return out;
    }

    static CommandLine commandLine(Object top, List<FusionCommand> subcommands) {
        CommandLine cl = new CommandLine(top);
        for (FusionCommand c : subcommands) {
            cl.addSubcommand(c);
        }
        cl.setExecutionExceptionHandler(Fusionpipe::handle);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        int code = ExitCodes.of(e);
        if (code == ExitCodes.USAGE) {
            err.println(e.getMessage());
            err.flush();
            return code;
        }
        // looked up here, not in a static field: a command that never logs (score) never starts the logging system
        LoggerFactory.getLogger(Fusionpipe.class).debug("{} failed", cl.getCommandName(), e);
        err.println(cl.getCommandName() + " failed: " + describe(e));
        err.flush();
        return code;
    }

    /** The message and its causes, one line each (Spark's messages carry whole plans: first lines only). */
    public static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(firstLine(e.getMessage() == null ? e.getClass().getName() : e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            String m = c.getMessage() == null ? null : firstLine(c.getMessage());
            if (m != null && !s.toString().contains(m)) {
                s.append("\n  caused by: ").append(m);
            }
        }
        return s.toString();
    }

    private static String firstLine(String m) {
        int nl = m.indexOf('\n');
        String line = nl < 0 ? m : m.substring(0, nl) + " ...";
        return line.length() > 400 ? line.substring(0, 400) + " ..." : line;
    }

    /** {@code --version}: Fusionpipe and the versions it was built against. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{
                    "fusionpipe " + BuildInfo.version(),
                    "spark " + BuildInfo.get("spark.version") + " (scala " + BuildInfo.get("scala.version") + ")",
                    "deeplearning4j " + BuildInfo.get("dl4j.version") + ", dl4j-spark " + BuildInfo.get("dl4j.spark.version"),
                    "nd4j backend " + BuildInfo.get("nd4j.backend"),
                    "java " + System.getProperty("java.version")};
        }
    }
}
