package io.fusionpipe.cli;

import io.fusionpipe.testing.TestRoots;
import io.fusionpipe.testing.Cli;
import io.fusionpipe.testing.Cli.Run;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher's contract: exit codes 0 / 1 / 2 and what it prints for each. */
class LauncherTest {

    @Test
    void helpListsTheCommandsOfEveryModuleOnTheClasspath() {
        Run r = Cli.run("--help");
        assertEquals(ExitCodes.OK, r.code());
        for (String c : new String[]{"config", "doctor", "test-crash"}) {
            assertTrue(r.out().contains(c), "help lists " + c + ":\n" + r.out());
        }
        assertTrue(r.out().contains("Exit codes: 0 ok, 1 runtime failure, 2 usage, configuration or input error"), r.out());
        assertTrue(r.out().contains("3 promote found a significant regression"), r.out());
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] args : new String[][]{{"config", "--help"}, {"config", "show", "--help"}, {"config", "keys", "--help"},
                {"doctor", "--help"}}) {
            Run r = Cli.run(args);
            assertEquals(ExitCodes.OK, r.code(), String.join(" ", args));
            assertTrue(r.out().contains("Usage:"), r.out());
        }
    }

    @Test
    void versionNamesTheStack() {
        Run r = Cli.run("--version");
        assertEquals(ExitCodes.OK, r.code());
        assertTrue(r.out().contains("spark 3.5.9") && r.out().contains("deeplearning4j 1.0.0-M2.1"), r.out());
    }

    @Test
    void unknownCommandOrOptionIsUsageError() {
        assertEquals(ExitCodes.USAGE, Cli.run("bogus").code());
        assertEquals(ExitCodes.USAGE, Cli.run().code());
        Run r = Cli.run("config", "show", "--nope");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("--nope"), r.err());
        assertEquals(ExitCodes.USAGE, Cli.run("config").code());
    }

    @Test
    void configShowPrintsTheEffectiveConfig() {
        Run r = Cli.run("config", "show", "--set", "spark.shuffle-partitions=7", "--root", "/data/fp");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("shuffle-partitions=7"), r.out());
        assertTrue(r.out().contains("root=\"/data/fp\""), r.out());
        Run origins = Cli.run("config", "show", "--origins", "--set", "spark.shuffle-partitions=7");
        assertTrue(origins.out().contains("# --set"), origins.out());
        assertTrue(origins.out().contains("reference.conf"), origins.out());
    }

    @Test
    void configFilesLayerInOrder() throws Exception {
        Path dir = TestRoots.newRoot("launcher");
        Path a = Files.writeString(dir.resolve("a.conf"), "fusionpipe.spark.shuffle-partitions = 11\nfusionpipe.spark.log-level = ERROR\n");
        Path b = Files.writeString(dir.resolve("b.conf"), "fusionpipe.spark.shuffle-partitions = 12\n");
        Run r = Cli.run("config", "show", "--config", a.toString(), "--config", b.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("shuffle-partitions=12") && r.out().contains("log-level=ERROR"), r.out());
    }

    @Test
    void invalidConfigIsExitTwoWithTheKeyValueAndExpectation() {
        Run r = Cli.run("config", "show", "--set", "spark.shuffle-partition=7", "--set", "spark.ui-enabled=perhaps");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("fusionpipe.spark.shuffle-partition") && r.err().contains("closest valid key: fusionpipe.spark.shuffle-partitions"), r.err());
        assertTrue(r.err().contains("fusionpipe.spark.ui-enabled = \"perhaps\"") && r.err().contains("expected a boolean"), r.err());
        assertEquals("", r.out(), "nothing printed on stdout");
    }

    @Test
    void badConfigStopsACommandBeforeItsWork() {
        Run r = Cli.run("test-crash", "--set", "spark.master=");
        assertEquals(ExitCodes.USAGE, r.code(), "config fails first, the crash never happens");
        assertTrue(r.err().contains("fusionpipe.spark.master"), r.err());
        assertTrue(!r.err().contains("disk on fire"), r.err());
    }

    @Test
    void runtimeFailureIsExitOneWithTheCauseChain() {
        Run r = Cli.run("test-crash");
        assertEquals(ExitCodes.FAILURE, r.code());
        assertTrue(r.err().contains("test-crash failed: disk on fire"), r.err());
        assertTrue(r.err().contains("caused by: write failed: /x/y"), r.err());
    }

    @Test
    void usageExceptionAtRunTimeIsExitTwo() {
        Run r = Cli.run("test-misuse");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("no version 7"), r.err());
    }

    @Test
    void configKeysMarkdownListsEveryKey() {
        Run r = Cli.run("config", "keys", "--markdown");
        assertEquals(ExitCodes.OK, r.code());
        assertTrue(r.out().contains("| `fusionpipe.spark.shuffle-partitions` | `8` | an integer in 1..100000 |"), r.out());
    }
}
