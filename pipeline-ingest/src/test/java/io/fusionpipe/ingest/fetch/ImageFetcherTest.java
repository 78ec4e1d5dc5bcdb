package io.fusionpipe.ingest.fetch;

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

    private HttpServer second;

    /** Settings for a test server on loopback, which has to be allowed explicitly. */
    private static IngestSettings settings(String... sets) {
        List<String> all = new ArrayList<>(List.of("ingest.fetch.allow-private=[127.0.0.1]"));
        all.addAll(List.of(sets));
        return IngestSettings.of(ConfigLoader.fromClasspath().systemProperties(new Properties()).sets(all).load());
    }

    private static IngestSettings defaults(String... sets) {
        return IngestSettings.of(ConfigLoader.fromClasspath().systemProperties(new Properties()).sets(List.of(sets)).load());
    }

    private static HttpServer start(String address, com.sun.net.httpserver.HttpHandler handler) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(address, 0), 0);
        s.setExecutor(Executors.newFixedThreadPool(16));
        s.createContext("/", handler);
        s.start();
        return s;
    }

    private String serve(com.sun.net.httpserver.HttpHandler handler) throws Exception {
        server = start("127.0.0.1", handler);
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/img.png";
    }

    private static void reply(com.sun.net.httpserver.HttpExchange ex, int status, byte[] body) throws java.io.IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    private static void redirect(com.sun.net.httpserver.HttpExchange ex, String location) throws java.io.IOException {
        ex.getResponseHeaders().add("Location", location);
        reply(ex, 302, new byte[0]);
    }

    @AfterEach
    void stop() {
        for (HttpServer s : new HttpServer[]{server, second}) {
            if (s != null) {
                s.stop(0);
            }
        }
    }

    @Test
    void internalAddressesInEveryFormAreRefusedBeforeAnyConnection() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        serve(ex -> {
            hits.incrementAndGet();
            reply(ex, 200, new byte[]{7});
        });
        int port = server.getAddress().getPort();
        for (String host : List.of("127.0.0.1", "2130706433", "127.1", "0x7f.1", "0177.0.0.1", "0x7f000001", "localhost",
                "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::1]")) {
            String url = "http://" + host + ":" + port + "/img.png";
            Rejection e = assertThrows(Rejection.class, () -> ImageFetcher.fetch(url, defaults("ingest.fetch.retries=2")), url);
            assertEquals(RejectReason.ADDRESS_NOT_ALLOWED, e.reason(), url + ": " + e.getMessage());
        }
        assertEquals(0, hits.get(), "no request reached the server");
        assertArrayEquals(new byte[]{7}, ImageFetcher.fetch("http://127.0.0.1:" + port + "/img.png", settings()), "opted in");
        assertEquals(1, hits.get());
    }

    @Test
    void redirectsAreCheckedBeforeTheyAreSent() throws Exception {
        AtomicInteger internalHits = new AtomicInteger();
        second = start("127.0.0.2", ex -> {
            internalHits.incrementAndGet();
            reply(ex, 200, new byte[]{9});
        });
        int internal = second.getAddress().getPort();
        String url = serve(ex -> {
            String q = ex.getRequestURI().getQuery();
            switch (q == null ? "" : q) {
                case "dotted" -> redirect(ex, "http://127.0.0.2:" + internal + "/secret");
                case "hex" -> redirect(ex, "http://0x7f000002:" + internal + "/secret");
                case "mapped" -> redirect(ex, "http://[::ffff:127.0.0.2]:" + internal + "/secret");
                case "https" -> redirect(ex, "https://127.0.0.1:" + server.getAddress().getPort() + "/img.png");
                case "file" -> redirect(ex, "file:///etc/passwd");
                case "loop" -> redirect(ex, "/img.png?loop");
                case "relative" -> redirect(ex, "/img.png?final");
                default -> reply(ex, 200, new byte[]{1, 2});
            }
        });
        IngestSettings s = settings("ingest.fetch.max-redirects=3");
        for (String q : List.of("dotted", "hex", "mapped")) {
            Rejection e = assertThrows(Rejection.class, () -> ImageFetcher.fetch(url + "?" + q, s));
            assertEquals(RejectReason.ADDRESS_NOT_ALLOWED, e.reason(), q + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith("redirected to"), e.getMessage());
        }
        assertEquals(0, internalHits.get(), "the blocked redirect target was never contacted");
        assertEquals(RejectReason.REDIRECT_SCHEME_CHANGE, assertThrows(Rejection.class, () -> ImageFetcher.fetch(url + "?https", s)).reason());
        assertEquals(RejectReason.REDIRECT_SCHEME_CHANGE, assertThrows(Rejection.class, () -> ImageFetcher.fetch(url + "?file", s)).reason());
        Rejection loop = assertThrows(Rejection.class, () -> ImageFetcher.fetch(url + "?loop", s));
        assertEquals(RejectReason.TOO_MANY_REDIRECTS, loop.reason());
        assertTrue(loop.getMessage().contains("more than 3 redirects"), loop.getMessage());
        assertArrayEquals(new byte[]{1, 2}, ImageFetcher.fetch(url + "?relative", s), "a relative redirect to an allowed host");

        // Allowing a host by name allows that name only: its redirect to another internal address is refused.
        String byName = url.replace("127.0.0.1", "localhost") + "?dotted";
        IngestSettings named = defaults("ingest.fetch.allow-private=[localhost]");
        assertEquals(RejectReason.ADDRESS_NOT_ALLOWED, assertThrows(Rejection.class, () -> ImageFetcher.fetch(byName, named)).reason());
        assertEquals(0, internalHits.get());
        assertArrayEquals(new byte[]{1, 2}, ImageFetcher.fetch(url.replace("127.0.0.1", "localhost"), named));
    }

    @Test
    void aDrippingBodyIsCutAtTheDeadlineAndFreesItsPermit() throws Exception {
        String url = serve(ex -> {
            if (ex.getRequestURI().getQuery() == null) {
                reply(ex, 200, new byte[]{5});
                return;
            }
            ex.sendResponseHeaders(200, 10_000);
            try {
                for (int i = 0; i < 10_000; i++) {
                    ex.getResponseBody().write(0);
                    ex.getResponseBody().flush();
                    Thread.sleep(50);
                }
            } catch (Exception stopped) {
                // the client hung up
            }
            ex.close();
        });
        IngestSettings s = settings("ingest.fetch.total-timeout=700ms", "ingest.fetch.read-timeout=5s",
                "ingest.fetch.per-host-concurrency=1", "ingest.fetch.retries=3");
        long start = System.nanoTime();
        Rejection e = assertThrows(Rejection.class, () -> ImageFetcher.fetch(url + "?drip", s));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(RejectReason.FETCH_TIMEOUT, e.reason(), e.getMessage());
        assertTrue(ms < 5_000, "stopped at the deadline, not after the 500 s the body would take: " + ms + " ms");
        assertArrayEquals(new byte[]{5}, ImageFetcher.fetch(url, s), "the only per-host permit was given back");

        // while a dripping body holds the only permit, another image of that host waits no longer than its own deadline
        IngestSettings holder = settings("ingest.fetch.total-timeout=2s", "ingest.fetch.per-host-concurrency=1", "ingest.fetch.retries=0");
        ExecutorService one = Executors.newSingleThreadExecutor();
        Future<?> dripping = one.submit(() -> assertThrows(Rejection.class, () -> ImageFetcher.fetch(url + "?drip", holder)));
        Thread.sleep(300);
        long waited = System.nanoTime();
        Rejection queued = assertThrows(Rejection.class, () -> ImageFetcher.fetch(url, settings("ingest.fetch.total-timeout=400ms",
                "ingest.fetch.per-host-concurrency=1")));
        assertEquals(RejectReason.FETCH_TIMEOUT, queued.reason(), queued.getMessage());
        assertTrue(queued.getMessage().contains("connection slot"), queued.getMessage());
        assertTrue((System.nanoTime() - waited) / 1_000_000 < 1_500, "gave up at its own deadline");
        dripping.get();
        one.shutdown();
    }

    @Test
    void chunkedBodiesAreCappedWhileReading() throws Exception {
        String url = serve(ex -> {
            ex.sendResponseHeaders(200, 0);
            byte[] block = new byte[64 * 1024];
            try {
                for (int i = 0; i < 64; i++) {
                    ex.getResponseBody().write(block);
                }
            } catch (java.io.IOException stopped) {
                // the client hung up at the cap
            }
            ex.close();
        });
        Rejection e = assertThrows(Rejection.class, () -> ImageFetcher.fetch(url, settings("ingest.image.max-bytes=1M")));
        assertEquals(RejectReason.IMAGE_TOO_LARGE, e.reason());
        byte[] small = ImageFetcher.fetch(url, settings("ingest.image.max-bytes=8M"));
        assertEquals(64 * 64 * 1024, small.length, "a chunked body is read whole");
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
        assertTrue(slow.getMessage().contains("read timeout"), slow.getMessage());
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
