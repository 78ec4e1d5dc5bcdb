package io.fusionpipe.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The configuration saved next to every output (and printed by config show) carries no secret values. */
class ConfigRedactionTest {

    @Test
    void secretLookingKeysAreRedactedWhereverTheyAre() throws Exception {
        Path file = Files.createTempFile("fp-secrets", ".conf");
        Files.writeString(file, """
                fusionpipe.spark.conf {
                  "spark.hadoop.fs.s3a.access.key" = "AKIAEXAMPLEKEY"
                  "spark.hadoop.fs.s3a.secret.key" = "s3cr3t-value"
                  "spark.hadoop.fs.s3a.session.token" = "tok-value"
                  "spark.ssl.keyStorePassword" = "pw-value"
                  "spark.authenticate.secret" = "auth-value"
                  "spark.hadoop.fs.s3a.endpoint" = "http://127.0.0.1:9000"
                  "spark.executor.memory" = "4g"
                }
                """);
        FusionConfig c = ConfigLoader.fromClasspath().systemProperties(new Properties()).file(file).load();
        String rendered = c.render();
        for (String secret : new String[]{"AKIAEXAMPLEKEY", "s3cr3t-value", "tok-value", "pw-value", "auth-value"}) {
            assertFalse(rendered.contains(secret), "rendered config shows " + secret + ":\n" + rendered);
        }
        assertTrue(rendered.contains(FusionConfig.REDACTED), rendered);
        assertTrue(rendered.contains("http://127.0.0.1:9000") && rendered.contains("4g"), "other values stay: " + rendered);
        assertEquals("s3cr3t-value", c.stringMap("fusionpipe.spark.conf").get("spark.hadoop.fs.s3a.secret.key"), "the job still gets the value");
        assertFalse(c.renderWithOrigins().contains("s3cr3t-value"));
        assertTrue(c.render(false, true).contains("s3cr3t-value"), "config show --show-secrets prints them");

        io.fusionpipe.testing.Cli.Run shown = io.fusionpipe.testing.Cli.run("config", "show", "--config", file.toString());
        assertEquals(0, shown.code(), shown.err());
        assertTrue(shown.out().contains(FusionConfig.REDACTED) && !shown.out().contains("s3cr3t-value"), shown.out());
        io.fusionpipe.testing.Cli.Run secrets = io.fusionpipe.testing.Cli.run("config", "show", "--show-secrets", "--config", file.toString());
        assertTrue(secrets.out().contains("s3cr3t-value"), secrets.out());
        Files.delete(file);
    }

    @Test
    void noDocumentedKeyIsTakenForASecret() {
        for (String key : ConfigSchema.fromClasspath().keys().keySet()) {
            assertFalse(FusionConfig.isSecret(key), key + " would be redacted from every saved config");
        }
        assertTrue(FusionConfig.isSecret("fusionpipe.spark.conf.\"spark.hadoop.fs.s3a.access.key\""));
        assertFalse(FusionConfig.isSecret("fusionpipe.spark.conf.\"spark.hadoop.fs.s3a.endpoint\""));
        assertFalse(FusionConfig.isSecret("fusionpipe.ingest.caption.max-tokens"));
        for (String secret : new String[]{"spark.hadoop.fs.azure.account.key.acct.blob.core.windows.net",
                "spark.hadoop.fs.s3a.server-side-encryption.key", "spark.hadoop.fs.gs.auth.service.account.private.key",
                "spark.hadoop.fs.azure.sas.container.acct.blob.core.windows.net", "spark.ssl.keyStorePassword", "apiKey", "api_key"}) {
            assertTrue(FusionConfig.isSecret("fusionpipe.spark.conf.\"" + secret + "\""), secret);
        }
        assertFalse(FusionConfig.isSecret("fusionpipe.ingest.split.group-key"));
    }
}
