package io.fusionpipe.ingest.fetch;

import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.RejectReason;
import io.fusionpipe.ingest.Rejection;

import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Fetches image URLs on executors, safe against server-side request forgery: every hop (the URL and
 * each redirect, followed here, never by a client library) is resolved once and checked by
 * {@link AddressPolicy} before a connection is opened, and the request goes to the checked address.
 * Redirects may not change the scheme and are capped. Connect and read timeouts, a deadline for the
 * whole image (retries and a dripping body included), bounded retries with exponential backoff
 * (connection errors, 429, 5xx), a size cap enforced while reading, and at most
 * {@code per-host-concurrency} requests per host per JVM. Failures are rejections, never crashes.
 */
public final class ImageFetcher {

    private static final Map<String, Semaphore> PER_HOST = new ConcurrentHashMap<>();
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private ImageFetcher() {
    }

    /** A reply worth trying again (429, 5xx). */
    private static final class Retry extends IOException {
        Retry(String detail) {
            super(detail);
        }
    }

    public static byte[] fetch(String url, IngestSettings s) throws Rejection {
        long deadline = System.nanoTime() + s.totalTimeout().toNanos();
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new Rejection(RejectReason.FETCH_FAILED, "malformed URL " + url);
        }
        String last = "";
        long wait = s.backoff().toMillis();
        for (int attempt = 0; attempt <= s.retries(); attempt++) {
            if (attempt > 0) {
                if (System.nanoTime() + wait * 1_000_000 >= deadline) {
                    throw timeout(s, last + "; no time left for another attempt: " + url);
                }
                sleep(wait);
                wait = Math.min(wait * 2, 60_000);
            }
            try {
                return followRedirects(uri, s, deadline);
            } catch (HttpGet.DeadlineExceeded e) {
                throw timeout(s, e.getMessage() + ": " + url);
            } catch (HttpGet.TooLarge e) {
                throw new Rejection(RejectReason.IMAGE_TOO_LARGE, e.getMessage());
            } catch (UnknownHostException e) {
                last = "unknown host " + e.getMessage();
            } catch (IOException e) {
                last = e instanceof Retry ? e.getMessage()
                        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
        }
        throw new Rejection(RejectReason.FETCH_FAILED, last + " after " + (s.retries() + 1) + " attempts: " + url);
    }

    private static byte[] followRedirects(URI first, IngestSettings s, long deadline) throws Rejection, IOException {
        URI uri = first;
        for (int hop = 0; ; hop++) {
            String host = Endpoint.of(uri).host();
            if (host.isEmpty()) {
                throw new Rejection(RejectReason.FETCH_FAILED, "URL without host: " + uri);
            }
            if (hop > 0 && !s.allowedHosts().isEmpty() && !s.allowedHosts().contains(host)) {
                throw new Rejection(RejectReason.HOST_NOT_ALLOWED, "redirected to host '" + host + "', not in " + s.allowedHosts());
            }
            AddressPolicy.Decision d = s.addressPolicy().check(host);
            if (!d.allowed()) {
                throw new Rejection(RejectReason.ADDRESS_NOT_ALLOWED, (hop > 0 ? "redirected to " : "") + d.refusal());
            }
            HttpGet.Response r = send(uri, host, d, s, deadline);
            int status = r.status();
            if (REDIRECTS.contains(status) && r.header("location") != null) {
                if (hop >= s.maxRedirects()) {
                    throw new Rejection(RejectReason.TOO_MANY_REDIRECTS, "more than " + s.maxRedirects() + " redirects from " + first);
                }
                uri = next(uri, r.header("location"));
                continue;
            }
            if (status == 429 || status >= 500) {
                throw new Retry("HTTP " + status);
            }
            if (status != 200) {
                throw new Rejection(RejectReason.FETCH_FAILED, "HTTP " + status + " for " + uri);
            }
            return r.body();
        }
    }

    private static HttpGet.Response send(URI uri, String host, AddressPolicy.Decision d, IngestSettings s, long deadline)
            throws Rejection, IOException {
        Semaphore gate = PER_HOST.computeIfAbsent(host + "#" + s.perHostConcurrency(),
                h -> new Semaphore(s.perHostConcurrency()));
        try {
            // waiting for a permit counts against the image's deadline too: slow hosts cannot hold a queue of tasks
            if (!gate.tryAcquire(HttpGet.remainingMs(deadline, "waiting for a connection slot to " + uri.getRawAuthority()),
                    java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new HttpGet.DeadlineExceeded("the time allowed per image ran out while waiting for a connection slot to "
                        + uri.getRawAuthority() + " (fusionpipe.ingest.fetch.per-host-concurrency)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Rejection(RejectReason.FETCH_FAILED, "interrupted");
        }
        try {
            return HttpGet.get(uri, d.address(), millis(s.connectTimeout()), millis(s.readTimeout()), deadline, s.maxBytes());
        } finally {
            gate.release();
        }
    }

    /** The redirect target: resolved against the current URL, same scheme only. */
    private static URI next(URI current, String location) throws Rejection {
        URI target;
        try {
            target = current.resolve(location.trim().replace(" ", "%20"));
        } catch (IllegalArgumentException e) {
            throw new Rejection(RejectReason.FETCH_FAILED, "malformed redirect to '" + location + "' from " + current);
        }
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals(current.getScheme().toLowerCase(Locale.ROOT))) {
            throw new Rejection(RejectReason.REDIRECT_SCHEME_CHANGE, "redirect from " + current.getScheme() + " to '"
                    + (scheme.isEmpty() ? location : scheme) + "': " + current);
        }
        return target;
    }

    private static Rejection timeout(IngestSettings s, String detail) {
        return new Rejection(RejectReason.FETCH_TIMEOUT, "over fusionpipe.ingest.fetch.total-timeout ("
                + s.totalTimeout().toMillis() + " ms): " + detail);
    }

    private static int millis(java.time.Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
