package io.fusionpipe.ingest.image;

import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.RejectReason;
import io.fusionpipe.ingest.Rejection;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Fetches image URLs on executors: connect and read timeouts, bounded retries with exponential
 * backoff (connection errors, 429, 5xx), a size cap read before the body is kept, and at most
 * {@code per-host-concurrency} requests per host per JVM. Failures are rejections, never crashes.
 */
public final class ImageFetcher {

    private static final Map<String, Semaphore> PER_HOST = new ConcurrentHashMap<>();
    private static volatile HttpClient client;
    private static volatile Duration clientTimeout;

    private ImageFetcher() {
    }

    private static HttpClient client(Duration connectTimeout) {
        if (client == null || !connectTimeout.equals(clientTimeout)) {
            synchronized (ImageFetcher.class) {
                if (client == null || !connectTimeout.equals(clientTimeout)) {
                    client = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NORMAL).build();
                    clientTimeout = connectTimeout;
                }
            }
        }
        return client;
    }

    public static byte[] fetch(String url, IngestSettings s) throws Rejection {
        URI uri = URI.create(url);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        Semaphore gate = PER_HOST.computeIfAbsent(host + "#" + s.perHostConcurrency(), h -> new Semaphore(s.perHostConcurrency()));
        String last = "";
        long wait = s.backoff().toMillis();
        for (int attempt = 0; attempt <= s.retries(); attempt++) {
            if (attempt > 0) {
                sleep(wait);
                wait = Math.min(wait * 2, 60_000);
            }
            try {
                gate.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Rejection(RejectReason.FETCH_FAILED, "interrupted");
            }
            try {
                HttpRequest req = HttpRequest.newBuilder(uri).timeout(s.readTimeout()).GET()
                        .header("User-Agent", "fusionpipe-ingest").build();
                HttpResponse<InputStream> resp = client(s.connectTimeout()).send(req, HttpResponse.BodyHandlers.ofInputStream());
                int status = resp.statusCode();
                try (InputStream body = resp.body()) {
                    String finalHost = resp.uri().getHost() == null ? "" : resp.uri().getHost().toLowerCase(Locale.ROOT);
                    if (!s.allowedHosts().isEmpty() && !s.allowedHosts().contains(finalHost)) {
                        throw new Rejection(RejectReason.HOST_NOT_ALLOWED, "redirected to host '" + finalHost + "'");
                    }
                    if (status == 429 || status >= 500) {
                        last = "HTTP " + status;
                        continue;
                    }
                    if (status != 200) {
                        throw new Rejection(RejectReason.FETCH_FAILED, "HTTP " + status + " for " + url);
                    }
                    long declared = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
                    if (declared > s.maxBytes()) {
                        throw new Rejection(RejectReason.IMAGE_TOO_LARGE, declared + " bytes declared > " + s.maxBytes());
                    }
                    byte[] data = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, s.maxBytes() + 1));
                    if (data.length > s.maxBytes()) {
                        throw new Rejection(RejectReason.IMAGE_TOO_LARGE, "more than " + s.maxBytes() + " bytes");
                    }
                    return data;
                }
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Rejection(RejectReason.FETCH_FAILED, "interrupted");
            } finally {
                gate.release();
            }
        }
        throw new Rejection(RejectReason.FETCH_FAILED, last + " after " + (s.retries() + 1) + " attempts: " + url);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
