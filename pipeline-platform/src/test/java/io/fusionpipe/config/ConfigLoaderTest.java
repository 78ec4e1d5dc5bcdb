package io.fusionpipe.config;

import com.typesafe.config.ConfigFactory;
import io.fusionpipe.testing.TestRoots;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    /** A reference covering every rule kind, independent of what the modules declare today. */
    private static final String REFERENCE = String.join("\n",
            "fusionpipe {",
            "  # The root.",
            "  # @type path nonempty",
            "  root = ./work",
            "  # @type string",
            "  name = base",
            "  s {",
            "    # @type int 1..100",
            "    n = 10",
            "    # @type long 0..",
            "    big = 5",
            "    # @type double 0..1",
            "    ratio = 0.5",
            "    # @type bool",
            "    flag = false",
            "    # @type duration nonempty",
            "    wait = 10s",
            "    # @type bytes 1M..",
            "    size = 64M",
            "    # @type enum a|b|c",
            "    mode = a",
            "    # @type list<string>",
            "    names = [x]",
            "    # @type list<int> nonempty",
            "    sizes = [1, 2]",
            "    # @type map",
            "    conf {}",
            "  }",
            "  train {",
            "    # @type int 1..",
            "    epochs = 3",
            "  }",
            "}");

    private static ConfigLoader loader() {
        return new ConfigLoader(ConfigSchema.from(ConfigFactory.parseString(REFERENCE))).systemProperties(new Properties());
    }

    private static Path file(String name, String content) throws IOException {
        Path dir = TestRoots.newRoot("conf");
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    private static ConfigValidationException invalid(Consumer<ConfigLoader> setup) {
        ConfigLoader l = loader();
        return assertThrows(ConfigValidationException.class, () -> {
            setup.accept(l);
            l.load();
        });
    }

    private static void assertProblem(ConfigValidationException e, String key, String... fragments) {
        ConfigProblem p = e.problems().stream().filter(x -> x.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no problem for " + key + " in " + e.getMessage()));
        for (String f : fragments) {
            assertTrue(p.toString().contains(f), "expected '" + f + "' in: " + p);
        }
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void precedenceIsReferenceThenFilesInOrderThenSystemPropertiesThenSet() throws IOException {
        Path a = file("a.conf", "fusionpipe { name = fromA, s.n = 20, s.ratio = 0.1, s.mode = b }");
        Path b = file("b.conf", "fusionpipe { name = fromB, s.n = 30 }");
        Properties sys = new Properties();
        sys.setProperty("fusionpipe.s.n", "40");
        sys.setProperty("fusionpipe.s.ratio", "0.2");
        sys.setProperty("unrelated.key", "ignored");
        FusionConfig c = loader().systemProperties(sys).file(a).file(b).set("s.n=50").load();
        assertEquals("fromB", c.config().getString("fusionpipe.name"), "later file wins over earlier file");
        assertEquals(50, c.config().getInt("fusionpipe.s.n"), "--set wins over -D, files and reference");
        assertEquals(0.2, c.config().getDouble("fusionpipe.s.ratio"), "-D wins over files");
        assertEquals("b", c.config().getString("fusionpipe.s.mode"), "file wins over reference");
        assertEquals(64L << 20, c.config().getBytes("fusionpipe.s.size"), "reference default kept");
        assertEquals(List.of(a, b), c.files());
    }

    @Test
    void laterSetWinsAndPrefixIsOptional() {
        FusionConfig c = loader().set("s.n=7").set("fusionpipe.s.n=8").load();
        assertEquals(8, c.config().getInt("fusionpipe.s.n"));
    }

    @Test
    void withSetsOneKnownKeyAndSaysSoInTheSnapshot() {
        FusionConfig c = loader().set("s.n=7").load();
        FusionConfig d = c.with("fusionpipe.s.n", 9);
        assertEquals(7, c.config().getInt("fusionpipe.s.n"), "the original is unchanged");
        assertEquals(9, d.config().getInt("fusionpipe.s.n"));
        assertEquals("9", d.sets().get("fusionpipe.s.n"));
        assertTrue(d.render().contains("n=9") || d.render().contains("n = 9"), d.render());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.with("fusionpipe.s.nn", 1));
        assertTrue(e.getMessage().contains("fusionpipe.s.nn"), e.getMessage());
    }

    @Test
    void setParsesListsAndMapsAsHoconAndKeepsUrisLiteral() {
        FusionConfig c = loader()
                .set("s.sizes=[3, 4]")
                .set("s.names=[a, \"b c\"]")
                .set("root=hdfs://nn:8020/data/fp")
                .set("s.conf.spark.executor.memory=4g")
                .set("s.conf={ \"spark.task.cpus\" = 2 }")
                .load();
        assertEquals(List.of(3, 4), c.config().getIntList("fusionpipe.s.sizes"));
        assertEquals(List.of("a", "b c"), c.config().getStringList("fusionpipe.s.names"));
        assertEquals("hdfs://nn:8020/data/fp", c.config().getString("fusionpipe.root"));
        // the later --set replaced the whole map value
        assertEquals(java.util.Map.of("spark.task.cpus", "2"), c.stringMap("fusionpipe.s.conf"));
    }

    @Test
    void mapKeysMayBeAnythingAndDottedKeysFlatten() {
        FusionConfig c = loader().set("s.conf.spark.executor.memory=4g").set("s.conf.anything=1").load();
        assertEquals("4g", c.stringMap("fusionpipe.s.conf").get("spark.executor.memory"));
        assertEquals("1", c.stringMap("fusionpipe.s.conf").get("anything"));
    }

    @Test
    void substitutionsResolveAgainstTheMergedConfig() throws IOException {
        Path a = file("a.conf", "fusionpipe { root = /data/x, name = ${fusionpipe.root}\"/names\" }");
        assertEquals("/data/x/names", loader().file(a).load().config().getString("fusionpipe.name"));
    }

    @Test
    void unknownKeyNamesTheClosestValidKey() {
        ConfigValidationException e = invalid(l -> l.set("s.nn=3"));
        assertProblem(e, "fusionpipe.s.nn", "unknown key", "closest valid key: fusionpipe.s.n", "--set");
    }

    @Test
    void unknownKeyInAFileNamesTheFileAndLine() throws IOException {
        Path a = file("typo.conf", "fusionpipe {\n  s {\n    ratoi = 0.3\n  }\n}\n");
        ConfigValidationException e = invalid(l -> l.file(a));
        assertProblem(e, "fusionpipe.s.ratoi", "closest valid key: fusionpipe.s.ratio", "typo.conf: 3");
    }

    @Test
    void unknownTopLevelSectionSuggestsTheModuleSection() {
        // 'eval' is a module section not on this schema's classpath: typo 'evl' points at it.
        ConfigValidationException e = invalid(l -> l.set("evl.beam=3"));
        assertProblem(e, "fusionpipe.evl.beam", "closest valid key: fusionpipe.eval.*");
    }

    @Test
    void keysOfAbsentModulesAreLeftToTheirModule() {
        FusionConfig c = loader().set("eval.beam-width=4").set("report.primary=CIDEr").load();
        assertEquals(4, c.config().getInt("fusionpipe.eval.beam-width"));
    }

    @Test
    void keysOfPresentModulesAreValidated() {
        ConfigValidationException e = invalid(l -> l.set("train.epoch=4"));
        assertProblem(e, "fusionpipe.train.epoch", "closest valid key: fusionpipe.train.epochs");
    }

    @Test
    void wrongTypesNameKeyValueAndExpectation() {
        ConfigValidationException e = invalid(l -> l
                .set("s.n=ten").set("s.big=1.5").set("s.ratio=half").set("s.flag=maybe")
                .set("s.wait=soon").set("s.size=lots").set("s.names=[[1]]").set("s.sizes=[1, x]")
                .set("s.conf=[1]"));
        assertEquals(9, e.problems().size(), e.getMessage());
        assertProblem(e, "fusionpipe.s.n", "\"ten\"", "expected an integer in 1..100");
        assertProblem(e, "fusionpipe.s.big", "\"1.5\"", "expected an integer >= 0");
        assertProblem(e, "fusionpipe.s.ratio", "\"half\"", "expected a number in 0.0..1.0");
        assertProblem(e, "fusionpipe.s.flag", "\"maybe\"", "expected a boolean");
        assertProblem(e, "fusionpipe.s.wait", "\"soon\"", "expected a duration");
        assertProblem(e, "fusionpipe.s.size", "\"lots\"", "expected a size in bytes");
        assertProblem(e, "fusionpipe.s.names", "element 0", "expected a list of a string");
        assertProblem(e, "fusionpipe.s.sizes", "element 1", "expected a list of an integer");
        assertProblem(e, "fusionpipe.s.conf", "expected an object of free-form keys");
    }

    @Test
    void outOfRangeValuesNameTheBound() {
        ConfigValidationException e = invalid(l -> l.set("s.n=0").set("s.ratio=1.5").set("s.size=1k").set("s.big=-1"));
        assertProblem(e, "fusionpipe.s.n", "\"0\"", "below the minimum 1", "1..100");
        assertProblem(e, "fusionpipe.s.ratio", "above the maximum 1.0");
        assertProblem(e, "fusionpipe.s.size", "below the minimum 1048576");
        assertProblem(e, "fusionpipe.s.big", "below the minimum 0");
    }

    @Test
    void enumListsTheChoices() {
        assertProblem(invalid(l -> l.set("s.mode=d")), "fusionpipe.s.mode", "\"d\"", "one of a, b, c");
    }

    @Test
    void emptyValuesFailNonEmptyRules() {
        ConfigValidationException e = invalid(l -> l.set("root=").set("s.sizes=[]").set("s.wait="));
        assertProblem(e, "fusionpipe.root", "empty");
        assertProblem(e, "fusionpipe.s.sizes", "empty list");
        assertProblem(e, "fusionpipe.s.wait", "expected a duration");
    }

    @Test
    void nullAndReplacedParentsAreReported() throws IOException {
        Path a = file("null.conf", "fusionpipe { name = null, train = 5 }");
        ConfigValidationException e = invalid(l -> l.file(a));
        assertProblem(e, "fusionpipe.name", "null", "null.conf: 1");
        assertProblem(e, "fusionpipe.train.epochs", "missing");
    }

    @Test
    void aValueUnderAScalarKeyIsReportedOnce() {
        ConfigValidationException e = invalid(l -> l.set("s.n.x=1"));
        assertEquals(1, e.problems().size(), e.getMessage());
        assertProblem(e, "fusionpipe.s.n", "not readable as an integer");
    }

    @Test
    void missingAndUnparsableFilesAreProblems() throws IOException {
        Path broken = file("broken.conf", "fusionpipe { s { n = 3 \n");
        Path missing = broken.resolveSibling("nope.conf");
        ConfigValidationException e = invalid(l -> l.file(missing).file(broken));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertProblem(e, missing.toString(), "does not exist");
        assertProblem(e, broken.toString(), "cannot parse", "broken.conf");
        assertProblem(invalid(l -> l.file(broken.getParent())), broken.getParent().toString(), "not a regular file");
    }

    @Test
    void malformedSetIsAUsageProblem() {
        ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> loader().set("s.n"));
        assertProblem(e, "s.n", "expected key=value");
        assertProblem(invalid(l -> l.set("s.sizes=[1,")), "fusionpipe.s.sizes", "cannot parse");
        assertProblem(invalid(l -> l.set("s..n=1")), "fusionpipe.s..n", "cannot parse");
    }

    @Test
    void unresolvedSubstitutionIsAProblem() throws IOException {
        Path a = file("subst.conf", "fusionpipe { name = ${fusionpipe.nothing} }");
        ConfigValidationException e = invalid(l -> l.file(a));
        assertProblem(e, "fusionpipe", "cannot resolve substitutions", "fusionpipe.nothing");
    }

    @Test
    void fusionpipeMustBeAnObject() {
        ConfigValidationException e = invalid(l -> l.set("fusionpipe=3"));
        assertProblem(e, "fusionpipe", "must be an object");
    }

    @Test
    void allProblemsAreReportedTogetherInOneMessage() {
        ConfigValidationException e = invalid(l -> l.set("s.n=0").set("s.mode=z").set("s.bogus=1"));
        assertEquals(3, e.problems().size());
        assertTrue(e.getMessage().startsWith("Invalid configuration (3 problems):"), e.getMessage());
    }
}
