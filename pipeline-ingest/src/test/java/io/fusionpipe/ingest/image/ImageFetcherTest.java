package io.fusionpipe.ingest.image;

import com.sun.net.httpserver.HttpServer;
import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.RejectReason;
import io.fusionpipe.ingest.Rejection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retries with backoff, the size cap, timeouts and the per-host concurrency cap, against a local server. */
class ImageFetcherTest {

    private HttpServer server;

    private static IngestSettings settings(String... sets) {
        return IngestSettings.of(ConfigLoader.fromClasspath().systemProperties(new Properties()).sets(List.of(sets)).load());
    }

    private String serve(com.sun.net.httpserver.HttpHandler handler) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/", handler);
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/img.png";
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void retriesServerErrorsThenSucceeds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        byte[] body = {1, 2, 3, 4};
        String url = serve(ex -> {
            int n = calls.incrementAndGet();
            if (n <= 2) {
                ex.sendResponseHeaders(n == 1 ? 503 : 429, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        assertArrayEquals(body, ImageFetcher.fetch(url, settings("ingest.fetch.retries=3", "ingest.fetch.backoff=5ms")));
        assertEquals(3, calls.get());
        calls.set(0);
        Rejection e = assertThrows(Rejection.class, () -> ImageFetcher.fetch(url, settings("ingest.fetch.retries=1", "ingest.fetch.backoff=5ms")));
        assertEquals(RejectReason.FETCH_FAILED, e.reason());
        assertTrue(e.getMessage().contains("HTTP 429 after 2 attempts"), e.getMessage());
    }

    @Test
    void capsTheSizeAndTimesOut() throws Exception {
        String url = serve(ex -> {
            if (ex.getRequestURI().getQuery() != null) {
                try {
                    Thread.sleep(3000);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] big = new byte[3 * 1024 * 1024];
            ex.sendResponseHeaders(200, big.length);
            ex.getResponseBody().write(big);
            ex.close();
        });
        Rejection big = assertThrows(Rejection.class, () -> ImageFetcher.fetch(url, settings("ingest.image.max-bytes=1M")));
        assertEquals(RejectReason.IMAGE_TOO_LARGE, big.reason());
        Rejection slow = assertThrows(Rejection.class, () -> ImageFetcher.fetch(url + "?slow",
                settings("ingest.fetch.read-timeout=300ms", "ingest.fetch.retries=0")));
        assertEquals(RejectReason.FETCH_FAILED, slow.reason());
        assertTrue(slow.getMessage().contains("Timeout"), slow.getMessage());
    }

    @Test
    void neverMoreThanTheCapOfRequestsToOneHost() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        String url = serve(ex -> {
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(150);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            ex.sendResponseHeaders(200, 1);
            ex.getResponseBody().write(7);
            ex.close();
        });
        IngestSettings s = settings("ingest.fetch.per-host-concurrency=2");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<byte[]>> done = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            done.add(pool.submit(() -> ImageFetcher.fetch(url, s)));
        }
        for (Future<byte[]> f : done) {
            assertEquals(1, f.get().length);
        }
        pool.shutdown();
        assertEquals(2, peak.get(), "at most 2 at once, and the cap was reached");
    }
}
