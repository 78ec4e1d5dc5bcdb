package io.fusionpipe.generate;

import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.testing.TestRoots;
import io.fusionpipe.testing.Cli;
import io.fusionpipe.testing.Cli.Run;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generate and generate-bench commands as the launcher runs them: options, messages, exit codes. */
class GenerateCommandTest {

    @Test
    void generatesWithTheConfiguredSizeAndWritesTheConfigNextToTheOutput() throws Exception {
        Path root = TestRoots.newRoot("gen-cli");
        Path out = root.resolve("cards");
        Run r = Cli.run("generate", "--count", "5", "--seed", "3", "--out", out.toString(), "--style", "photo",
                "--master", "local[1]", "--root", root.toString(), "--set", "generate.photo-width=200", "--set", "generate.photo-height=260");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("generated 5 cards (0 scan, 5 photo"), r.out());
        assertEquals(5, Files.readAllLines(out.resolve("manifest.jsonl")).size());
        assertTrue(Files.readString(out.resolve("fusionpipe.conf")).contains("photo-width=200"));
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(out.resolve("images/s3-00000000.jpg").toFile());
        assertEquals(200, img.getWidth());
        assertEquals(260, img.getHeight());
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheProblem() {
        Path root = TestRoots.newRoot("gen-cli-bad");
        Run style = Cli.run("generate", "--count", "5", "--out", root.resolve("a").toString(), "--style", "sketch");
        assertEquals(ExitCodes.USAGE, style.code());
        assertTrue(style.err().contains("sketch") && style.err().contains("SCAN, PHOTO, MIXED"), style.err());
        Run count = Cli.run("generate", "--count", "-3", "--out", root.resolve("b").toString(), "--root", root.toString());
        assertEquals(ExitCodes.USAGE, count.code());
        assertTrue(count.err().contains("--count must be a positive number, got -3"), count.err());
        Run noOut = Cli.run("generate", "--count", "5");
        assertEquals(ExitCodes.USAGE, noOut.code());
        assertTrue(noOut.err().contains("--out"), noOut.err());
        Run quality = Cli.run("generate", "--count", "1", "--out", root.resolve("c").toString(),
                "--set", "generate.photo-jpeg-quality-min=0.95", "--set", "generate.photo-jpeg-quality-max=0.5");
        assertEquals(ExitCodes.USAGE, quality.code());
        assertTrue(quality.err().contains("fusionpipe.generate.photo-jpeg-quality-min"), quality.err());
    }

    @Test
    void benchPrintsATableAndJson() {
        Path sheets = TestRoots.newRoot("bench");
        Run r = Cli.run("generate-bench", "--cards", "16", "--contact-sheets", sheets.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("card face only") && r.out().contains("\"photo_cards_per_s\":"), r.out());
        assertTrue(Files.exists(sheets.resolve("contact-sheet-scan.png")) && Files.exists(sheets.resolve("contact-sheet-photo.png")));
    }
}
