package io.fusionpipe.ingest.source;

import io.fusionpipe.ingest.RejectReason;
import io.fusionpipe.ingest.Rejection;
import io.fusionpipe.ingest.fetch.Endpoint;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * Turns a manifest's image reference into something safe to read: an http(s) URL (host allowed),
 * or a path inside the input's folder. Anything that could read outside it is a reject.
 */
public final class ImageRefs {

    private ImageRefs() {
    }

    /** A URL to fetch, or a path relative to the base (normalised, never escaping it). */
    public record Resolved(String url, String relativePath) {
    }

    public static Resolved resolve(String ref, List<String> allowedHosts) throws Rejection {
        String r = ref.trim();
        int colon = r.indexOf("://");
        if (colon > 0 || r.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") && !r.matches("^[A-Za-z]:[\\\\/].*")) {
            String scheme = r.substring(0, r.indexOf(':')).toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new Rejection(RejectReason.UNSUPPORTED_URL_SCHEME, "scheme '" + scheme + "' in " + r);
            }
            URI uri;
            String host;
            try {
                uri = URI.create(r.replace(" ", "%20"));
                host = Endpoint.of(uri).host();
            } catch (IllegalArgumentException | IOException e) {
                throw new Rejection(RejectReason.FETCH_FAILED, "malformed URL " + r);
            }
            if (host.isEmpty()) {
                throw new Rejection(RejectReason.FETCH_FAILED, "URL without host: " + r);
            }
            if (!allowedHosts.isEmpty() && !allowedHosts.contains(host)) {
                throw new Rejection(RejectReason.HOST_NOT_ALLOWED, "host '" + host + "' not in " + allowedHosts);
            }
            return new Resolved(uri.toString(), null);
        }
        return new Resolved(null, relative(r));
    }

    /** Normalises a relative path; absolute paths and '..' that climb out are rejects. */
    public static String relative(String path) throws Rejection {
        String p = path.replace('\\', '/');
        if (p.startsWith("/") || p.matches("^[A-Za-z]:/.*")) {
            throw new Rejection(RejectReason.PATH_OUTSIDE_ROOT, "absolute path " + path);
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String seg : p.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                if (parts.isEmpty()) {
                    throw new Rejection(RejectReason.PATH_OUTSIDE_ROOT, "'" + path + "' climbs out of the input's folder");
                }
                parts.removeLast();
            } else {
                parts.addLast(seg);
            }
        }
        if (parts.isEmpty()) {
            throw new Rejection(RejectReason.PATH_OUTSIDE_ROOT, "'" + path + "' names the input's folder itself");
        }
        return String.join("/", parts);
    }
}
