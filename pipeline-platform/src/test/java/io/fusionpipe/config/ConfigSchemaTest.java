package io.fusionpipe.config;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigSchemaTest {

    @Test
    void everyReferenceKeyOnTheClasspathIsDocumentedAndTyped() {
        ConfigSchema schema = ConfigSchema.fromClasspath();
        assertTrue(schema.keys().size() >= 10, "core declares its keys: " + schema.keys().keySet());
        for (KeySpec k : schema.keys().values()) {
            assertFalse(k.doc().isBlank(), k.path() + " has no doc comment");
            // The default itself passes the key's own rule.
            assertTrue(k.rule().check(schema.reference().resolve(), k.path()).isEmpty(), k.path() + " default breaks its rule");
        }
        // The defaults validate as a whole.
        new ConfigLoader(schema).systemProperties(new java.util.Properties()).load();
    }

    @Test
    void aKeyWithoutTypeLineIsABuildError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ConfigSchema.from(ConfigFactory.parseString("fusionpipe {\n # just a doc\n x = 1\n}")));
        assertTrue(e.getMessage().contains("fusionpipe.x") && e.getMessage().contains("@type"), e.getMessage());
    }

    @Test
    void badRulesAreRejectedWithTheRuleText() {
        for (String bad : new String[]{"integer", "int 1..x", "enum", "list<thing>", "string sometimes", ""}) {
            assertThrows(IllegalArgumentException.class, () -> TypeRule.parse(bad), bad);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ConfigSchema.from(ConfigFactory.parseString("fusionpipe {\n # @type int 5..q\n x = 1\n}")));
        assertTrue(e.getMessage().contains("fusionpipe.x") && e.getMessage().contains("5..q"), e.getMessage());
    }

    @Test
    void rulesDescribeThemselves() {
        assertEquals("an integer in 1..65535", TypeRule.parse("int 1..65535").describe());
        assertEquals("a number >= 0.0", TypeRule.parse("double 0..").describe());
        assertEquals("a path or URI, not empty", TypeRule.parse("path nonempty").describe());
        assertEquals("one of overwrite, append", TypeRule.parse("enum overwrite|append").describe());
        assertEquals("a list of an integer (at least one)", TypeRule.parse("list<int> nonempty").describe());
    }

    @Test
    void closestKeyPrefersLeafTypos() {
        ConfigSchema schema = ConfigSchema.from(ConfigFactory.parseString(
                "fusionpipe { a { # @type int\n epochs = 1\n # @type int\n batch-size = 2\n }\n # @type string\n root = x\n }"));
        assertEquals("fusionpipe.a.batch-size", schema.closestKey("fusionpipe.a.batchsize"));
        assertEquals("fusionpipe.a.epochs", schema.closestKey("fusionpipe.a.epoch"));
        assertEquals("fusionpipe.root", schema.closestKey("fusionpipe.rooot"));
        assertEquals(3, ConfigSchema.distance("kitten", "sitting"));
    }
}
