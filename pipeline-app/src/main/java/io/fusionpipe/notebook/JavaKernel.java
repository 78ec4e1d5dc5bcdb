package io.fusionpipe.notebook;

import io.fusionpipe.BuildInfo;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.BaseKernelBuilder;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.magic.MagicParser;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Jupyter kernel for Java on the Jupyter protocol layer of JJava ({@code org.dflib.jjava:jjava-jupyter};
 * JJava's own JShell kernel artifact is not on the registries this project may use). Cells are
 * JShell snippets evaluated in this JVM, so Fusionpipe's classes (the launcher's classpath) and
 * {@link Show} are there to use. A compile error or an exception fails the cell with its message,
 * which fails {@code jupyter nbconvert --execute}.
 */
public final class JavaKernel extends BaseKernel {

    private final JShell shell;

    private JavaKernel(Builder b, LanguageInfo info) {
        super(b.name(), b.version(), info, List.of(), b.history(), b.io(), b.comms(), b.renderer(), b.magics(), b.registry(),
                false, b.errors());
        this.shell = JShell.builder().executionEngine("local").out(System.out).err(System.err).build();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                shell.addToClasspath(entry);
            }
        }
        installNotebookKernel(); // BaseKernel.notebookKernel(): what Show displays through
    }

    /** A kernel for this JVM, named {@code fusionpipe-java}. */
    public static JavaKernel create() {
        Builder b = new Builder();
        LanguageInfo info = new LanguageInfo.Builder("java").version(Runtime.version().toString()).mimetype("text/x-java-source")
                .fileExtension(".jshell").pygments("java").codemirror("java").build();
        return new JavaKernel(b, info);
    }

    /**
     * Evaluates a cell snippet by snippet; returns the last expression's value (as JShell prints it),
     * or null. The first rejected snippet or thrown exception fails the cell.
     */
    @Override
    public Object evalRaw(String code) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String rest = code;
        String last = null;
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            }
            if (!info.completeness().isComplete()) {
                throw new IllegalArgumentException("incomplete Java at: " + firstLine(rest));
            }
            for (SnippetEvent e : shell.eval(info.source())) {
                if (e.exception() != null) {
                    throw new IllegalStateException(describe(e.exception()), e.exception());
                }
                if (e.status() == Snippet.Status.REJECTED) {
                    List<String> diags = new ArrayList<>();
                    shell.diagnostics(e.snippet()).forEach(d -> diags.add(message(d, e.snippet().source())));
                    throw new IllegalArgumentException("does not compile: " + String.join("; ", diags));
                }
                if (e.causeSnippet() == null) {
                    // an expression's value (JShell keeps it in a $N variable); statements and declarations show nothing
                    boolean expression = e.snippet().kind() == Snippet.Kind.EXPRESSION
                            || e.snippet().subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
                    last = expression ? e.value() : null;
                }
            }
            rest = info.remaining();
        }
        return last == null ? null : new DisplayData(last);
    }

    private static String describe(Throwable t) {
        if (t instanceof EvalException ee) {
            return ee.getExceptionClassName() + ": " + ee.getMessage();
        }
        return t.toString();
    }

    private static String message(Diag d, String source) {
        long at = Math.max(0, d.getStartPosition());
        return d.getMessage(Locale.ROOT) + " (at \"" + firstLine(source.substring((int) Math.min(at, source.length()))) + "\")";
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl) + " ...";
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        return null;
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        int[] anchor = new int[1];
        List<String> options = new ArrayList<>();
        shell.sourceCodeAnalysis().completionSuggestions(code, at, anchor).forEach(s -> options.add(s.continuation()));
        return options.isEmpty() ? null : new ReplacementOptions(options, anchor[0], at);
    }

    @Override
    public String isComplete(String code) {
        SourceCodeAnalysis.Completeness c = shell.sourceCodeAnalysis().analyzeCompletion(code).completeness();
        return c.isComplete() ? IS_COMPLETE_YES : c == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE ? "" : IS_COMPLETE_MAYBE;
    }

    @Override
    public void onShutdown(boolean restart) {
        shell.close();
    }

    /** Exposes the builder's defaults (JJava's IO, comms, renderer, history) to the constructor. */
    private static final class Builder extends BaseKernelBuilder<Builder, JavaKernel> {
        Builder() {
            name("fusionpipe-java");
            version(BuildInfo.version());
        }

        String name() {
            return buildName();
        }

        String version() {
            return buildVersion();
        }

        org.dflib.jjava.jupyter.kernel.history.HistoryManager history() {
            return buildHistoryManager();
        }

        org.dflib.jjava.jupyter.kernel.JupyterIO io() {
            return buildJupyterIO(buildJupyterIOEncoding());
        }

        org.dflib.jjava.jupyter.kernel.comm.CommManager comms() {
            return buildCommManager();
        }

        org.dflib.jjava.jupyter.kernel.display.Renderer renderer() {
            return buildRenderer();
        }

        MagicParser magics() {
            // Java lines never start with %: line magics (%name) and cell magics (%%name) cannot clash with code
            return new MagicParser("^\\s*%", "%%", buildMagicTranspiler());
        }

        org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry registry() {
            return buildMagicsRegistry();
        }

        org.dflib.jjava.jupyter.kernel.util.StringStyler errors() {
            return buildErrorStyler();
        }

        @Override
        public JavaKernel build() {
            return create();
        }
    }
}
