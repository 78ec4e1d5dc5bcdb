package io.fusionpipe.ingest.fetch;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.RejectReason;
import io.fusionpipe.ingest.Rejection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPS through the fetcher's own client (it connects to the checked address, so it does TLS itself):
 * the certificate must chain to a trusted root and name the URL's host. A throwaway certificate for
 * "localhost" (made with the JDK's keytool) is the only root this JVM trusts during the test.
 */
class HttpsFetchTest {

    private static HttpsServer server;
    private static SSLContext previous;
    private static int port;
    private static final byte[] BODY = {9, 8, 7};

    private static IngestSettings settings(String... sets) {
        List<String> all = new java.util.ArrayList<>(List.of("ingest.fetch.allow-private=[\"127.0.0.1\", \"::1\"]", "ingest.fetch.retries=0"));
        all.addAll(List.of(sets));
        return IngestSettings.of(ConfigLoader.fromClasspath().systemProperties(new Properties()).sets(all).load());
    }

    @BeforeAll
    static void serve() throws Exception {
        Path dir = Files.createTempDirectory("https-fetch");
        Path store = dir.resolve("localhost.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "localhost", "-keyalg", "EC", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost",
                "-validity", "2").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        previous = SSLContext.getDefault();
        SSLContext.setDefault(ctx);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, BODY.length);
            ex.getResponseBody().write(BODY);
            ex.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
        SSLContext.setDefault(previous);
    }

    @Test
    void theCertificateMustNameTheHost() throws Exception {
        IngestSettings s = settings();
        assertArrayEquals(BODY, ImageFetcher.fetch("https://localhost:" + port + "/img.png", s), "SNI and the name check pass for localhost");
        Rejection wrongName = assertThrows(Rejection.class, () -> ImageFetcher.fetch("https://127.0.0.1:" + port + "/img.png", s));
        assertEquals(RejectReason.FETCH_FAILED, wrongName.reason());
        assertTrue(wrongName.getMessage().contains("SSL") || wrongName.getMessage().contains("Certificate")
                || wrongName.getMessage().contains("certificate"), "the certificate does not name 127.0.0.1: " + wrongName.getMessage());
    }
}
