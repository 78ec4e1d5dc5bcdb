package io.fusionpipe.config;

/** One thing wrong with the configuration: the key, the offending value, where it came from, and why. */
public record ConfigProblem(String key, String value, String origin, String message) {

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(key);
        if (value != null) {
            s.append(" = ").append(value);
        }
        if (origin != null && !origin.isEmpty()) {
            s.append(" (from ").append(origin).append(')');
        }
        return s.append(": ").append(message).toString();
    }
}
