package io.fusionpipe.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The value rule of one config key, parsed from the {@code @type} line of its doc comment in a
 * reference.conf. It checks a value and says, in words, what it expected.
 */
public final class TypeRule {

    public enum Kind { STRING, PATH, BOOL, INT, LONG, DOUBLE, DURATION, BYTES, ENUM, LIST, MAP }

    private final Kind kind;
    private final boolean nonEmpty;
    private final Double min;
    private final Double max;
    private final List<String> choices;
    private final Kind elementKind;

    private TypeRule(Kind kind, boolean nonEmpty, Double min, Double max, List<String> choices, Kind elementKind) {
        this.kind = kind;
        this.nonEmpty = nonEmpty;
        this.min = min;
        this.max = max;
        this.choices = choices;
        this.elementKind = elementKind;
    }

    public Kind kind() {
        return kind;
    }

    /** Element kind of a list rule, null for other kinds. */
    public Kind elementKind() {
        return elementKind;
    }

    /**
     * Parses the text after {@code @type}, e.g. {@code int 1..65535}, {@code enum a|b},
     * {@code list<string>}, {@code path nonempty}.
     *
     * @throws IllegalArgumentException naming what is wrong with the rule text
     */
    public static TypeRule parse(String text) {
        String[] words = text.trim().split("\\s+");
        if (words.length == 0 || words[0].isEmpty()) {
            throw new IllegalArgumentException("empty @type rule");
        }
        String head = words[0].toLowerCase(Locale.ROOT);
        List<String> rest = Arrays.asList(words).subList(1, words.length);
        if (head.startsWith("list<") && head.endsWith(">")) {
            Kind element = scalarKind(head.substring(5, head.length() - 1), text);
            return new TypeRule(Kind.LIST, rest.contains("nonempty"), null, null, List.of(), element);
        }
        if (head.equals("enum")) {
            if (rest.size() != 1 || rest.get(0).isEmpty()) {
                throw new IllegalArgumentException("enum rule needs its choices as A|B|C: '" + text + "'");
            }
            return new TypeRule(Kind.ENUM, true, null, null, List.of(rest.get(0).split("\\|")), null);
        }
        Kind kind = head.equals("map") ? Kind.MAP : scalarKind(head, text);
        boolean nonEmpty = false;
        Double min = null;
        Double max = null;
        for (String word : rest) {
            if (word.equals("nonempty")) {
                nonEmpty = true;
            } else if (word.contains("..") && (kind == Kind.INT || kind == Kind.LONG || kind == Kind.DOUBLE || kind == Kind.BYTES)) {
                int dots = word.indexOf("..");
                String lo = word.substring(0, dots);
                String hi = word.substring(dots + 2);
                try {
                    min = lo.isEmpty() ? null : bound(kind, lo);
                    max = hi.isEmpty() ? null : bound(kind, hi);
                } catch (NumberFormatException | ConfigException e) {
                    throw new IllegalArgumentException("bad range '" + word + "' in @type rule '" + text + "'");
                }
            } else {
                throw new IllegalArgumentException("unknown word '" + word + "' in @type rule '" + text + "'");
            }
        }
        return new TypeRule(kind, nonEmpty, min, max, List.of(), null);
    }

    /** A range bound; sizes may carry units (1M, 4G). */
    private static double bound(Kind kind, String text) {
        if (kind == Kind.BYTES) {
            return com.typesafe.config.ConfigFactory.parseString("b = \"" + text + "\"").getBytes("b");
        }
        return Double.parseDouble(text);
    }

    private static Kind scalarKind(String name, String text) {
        switch (name) {
            case "string": return Kind.STRING;
            case "path": return Kind.PATH;
            case "bool": return Kind.BOOL;
            case "int": return Kind.INT;
            case "long": return Kind.LONG;
            case "double": return Kind.DOUBLE;
            case "duration": return Kind.DURATION;
            case "bytes": return Kind.BYTES;
            default: throw new IllegalArgumentException("unknown type '" + name + "' in @type rule '" + text + "'");
        }
    }

    /** Human description of what the rule accepts, used in error messages and the key table. */
    public String describe() {
        switch (kind) {
            case ENUM:
                return "one of " + String.join(", ", choices);
            case LIST:
                return "a list of " + noun(elementKind) + (nonEmpty ? " (at least one)" : "");
            case MAP:
                return "an object of free-form keys";
            default:
                StringBuilder s = new StringBuilder(noun(kind));
                if (min != null && max != null) {
                    s.append(" in ").append(bound(min)).append("..").append(bound(max));
                } else if (min != null) {
                    s.append(" >= ").append(bound(min));
                } else if (max != null) {
                    s.append(" <= ").append(bound(max));
                }
                if (nonEmpty) {
                    s.append(", not empty");
                }
                return s.toString();
        }
    }

    private String bound(double b) {
        return b == Math.rint(b) && kind != Kind.DOUBLE ? String.valueOf((long) b) : String.valueOf(b);
    }

    private static String noun(Kind k) {
        switch (k) {
            case STRING: return "a string";
            case PATH: return "a path or URI";
            case BOOL: return "a boolean (true/false)";
            case INT: return "an integer";
            case LONG: return "an integer";
            case DOUBLE: return "a number";
            case DURATION: return "a duration such as 30s, 5m, 2h";
            case BYTES: return "a size in bytes such as 512M, 4G";
            default: return k.name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Checks the value at {@code path} in {@code config}; returns the problem in words, or empty.
     */
    public Optional<String> check(Config config, String path) {
        try {
            switch (kind) {
                case STRING:
                case PATH:
                    return checkText(config.getValue(path), config.getString(path));
                case BOOL:
                    config.getBoolean(path);
                    return Optional.empty();
                case INT:
                case LONG: {
                    Number n = config.getNumber(path);
                    if (!(n instanceof Integer || n instanceof Long)) {
                        return Optional.of("not a whole number");
                    }
                    return checkRange(kind == Kind.INT ? config.getInt(path) : config.getLong(path));
                }
                case DOUBLE: {
                    double d = config.getDouble(path);
                    if (Double.isNaN(d) || Double.isInfinite(d)) {
                        return Optional.of("not a finite number");
                    }
                    return checkRange(d);
                }
                case DURATION:
                    if (config.getDuration(path).isNegative()) {
                        return Optional.of("negative duration");
                    }
                    return Optional.empty();
                case BYTES:
                    return checkRange(config.getBytes(path));
                case ENUM: {
                    String v = config.getString(path);
                    if (!choices.contains(v)) {
                        return Optional.of("not one of the choices");
                    }
                    return Optional.empty();
                }
                case LIST:
                    return checkList(config, path);
                case MAP:
                    if (config.getValue(path).valueType() != ConfigValueType.OBJECT) {
                        return Optional.of("not an object");
                    }
                    return Optional.empty();
                default:
                    throw new IllegalStateException(kind.name());
            }
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            return Optional.of("not readable as " + noun(kind == Kind.ENUM ? Kind.STRING : kind));
        }
    }

    private Optional<String> checkText(ConfigValue raw, String value) {
        if (raw.valueType() == ConfigValueType.OBJECT || raw.valueType() == ConfigValueType.LIST) {
            return Optional.of("not a single value");
        }
        if (nonEmpty && value.isBlank()) {
            return Optional.of("empty");
        }
        return Optional.empty();
    }

    private Optional<String> checkRange(double value) {
        if (min != null && value < min) {
            return Optional.of("below the minimum " + bound(min));
        }
        if (max != null && value > max) {
            return Optional.of("above the maximum " + bound(max));
        }
        return Optional.empty();
    }

    private Optional<String> checkList(Config config, String path) {
        List<? extends ConfigValue> list = config.getList(path);
        if (nonEmpty && list.isEmpty()) {
            return Optional.of("empty list");
        }
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ConfigValue element = list.get(i);
            Object unwrapped = element.unwrapped();
            boolean ok;
            switch (elementKind) {
                case INT:
                case LONG:
                    ok = unwrapped instanceof Integer || unwrapped instanceof Long
                            || (unwrapped instanceof String && ((String) unwrapped).trim().matches("-?\\d+"));
                    break;
                case DOUBLE:
                    ok = unwrapped instanceof Number || (unwrapped instanceof String && isDouble((String) unwrapped));
                    break;
                case BOOL:
                    ok = unwrapped instanceof Boolean;
                    break;
                default:
                    ok = element.valueType() != ConfigValueType.OBJECT && element.valueType() != ConfigValueType.LIST
                            && element.valueType() != ConfigValueType.NULL;
            }
            if (!ok) {
                bad.add("element " + i + " (" + element.render(com.typesafe.config.ConfigRenderOptions.concise()) + ")");
            }
        }
        return bad.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", bad) + " is not " + noun(elementKind));
    }

    private static boolean isDouble(String s) {
        try {
            Double.parseDouble(s.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
