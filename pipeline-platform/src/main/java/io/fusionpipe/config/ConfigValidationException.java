package io.fusionpipe.config;

import java.util.List;

/** The configuration is unusable; carries every problem found, not only the first. */
public final class ConfigValidationException extends RuntimeException {

    private final List<ConfigProblem> problems;

    public ConfigValidationException(List<ConfigProblem> problems) {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String format(List<ConfigProblem> problems) {
        StringBuilder s = new StringBuilder("Invalid configuration (")
                .append(problems.size()).append(problems.size() == 1 ? " problem" : " problems").append("):");
        for (ConfigProblem p : problems) {
            s.append("\n  - ").append(p);
        }
        return s.toString();
    }
}
