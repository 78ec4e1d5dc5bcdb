package io.fusionpipe.doctor;

import io.fusionpipe.BuildInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmFlagsCheckTest {

    @Test
    void theBuildsFlagsAreInEffectUnderSurefire() {
        assertTrue(BuildInfo.jvmFlags().size() >= 10, BuildInfo.jvmFlags().toString());
        assertEquals(List.of(), CoreChecks.JvmFlags.missingFlags(BuildInfo.jvmFlags()));
    }

    @Test
    void flagsNotInEffectAreNamed() {
        List<String> missing = CoreChecks.JvmFlags.missingFlags(List.of(
                "--add-opens=java.base/java.lang.ref=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "-Dfusionpipe.test.no.such.property=1"));
        assertEquals(List.of("--add-opens=java.base/java.lang.ref=ALL-UNNAMED", "-Dfusionpipe.test.no.such.property=1"), missing);
    }
}
