package io.fusionpipe.ingest.fetch;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;

/**
 * Scheme, host and port of a URL. Java's URI leaves the host null for names it does not accept as
 * host names (such as {@code 127.1} or {@code 2130706433}), so the authority is read here.
 */
public record Endpoint(String scheme, String host, int port, String authority) {
    public static Endpoint of(URI uri) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        int portAt = authority.startsWith("[") ? authority.indexOf(':', Math.max(0, authority.indexOf(']')))
                : authority.lastIndexOf(':');
        String host = portAt < 0 ? authority : authority.substring(0, portAt);
        int port = scheme.equals("https") ? 443 : 80;
        if (portAt >= 0 && portAt < authority.length() - 1) {
            try {
                port = Integer.parseInt(authority.substring(portAt + 1));
            } catch (NumberFormatException e) {
                throw new IOException("bad port in '" + authority + "'");
            }
            if (port < 1 || port > 65535) {
                throw new IOException("bad port in '" + authority + "'");
            }
        }
        return new Endpoint(scheme, host.toLowerCase(Locale.ROOT), port, authority);
    }
}
