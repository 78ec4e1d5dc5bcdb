package io.fusionpipe.ingest.fetch;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 GET to an address chosen by the caller (the one {@link AddressPolicy} checked), so no
 * second DNS lookup can send the request elsewhere. Java's HttpClient cannot be pinned to an address.
 * HTTPS keeps the URL's host for SNI and certificate checks. Every read is bounded by the read timeout
 * and by the caller's deadline, so a server that drips its body cannot hold a task.
 */
final class HttpGet {

    static final int MAX_HEADER_BYTES = 64 * 1024;

    private HttpGet() {
    }

    /** A reply: status, headers (lower-case names, first value), and the body only for 200. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** The body is longer than allowed; carries what is known about its length. */
    static final class TooLarge extends IOException {
        TooLarge(String detail) {
            super(detail);
        }
    }

    /** The caller's deadline passed (connect, headers or body). */
    static final class DeadlineExceeded extends IOException {
        DeadlineExceeded(String detail) {
            super(detail);
        }
    }

    static Response get(URI uri, InetAddress address, int connectTimeoutMs, int readTimeoutMs, long deadlineNanos,
                        long maxBytes) throws IOException {
        Endpoint e = Endpoint.of(uri);
        boolean tls = e.scheme().equals("https");
        int port = e.port();
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(address, port), Math.max(1, Math.min(connectTimeoutMs, remainingMs(deadlineNanos, "connecting"))));
            if (tls) {
                socket = tls(socket, e.host(), port);
            }
            DeadlineStream in = new DeadlineStream(socket, readTimeoutMs, deadlineNanos);
            OutputStream out = socket.getOutputStream();
            out.write(request(uri, e).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            int status;
            Map<String, String> headers;
            do {
                status = statusCode(line(in));
                headers = headers(in);
            } while (status >= 100 && status < 200);
            if (status != 200) {
                return new Response(status, headers, null);
            }
            return new Response(status, headers, body(in, headers, maxBytes));
        } finally {
            socket.close();
        }
    }

    private static Socket tls(Socket plain, String host, int port) throws IOException {
        SSLSocket ssl;
        try {
            ssl = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket(plain, host, port, true);
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no TLS support in this JVM", e);
        }
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!host.startsWith("[") && !Character.isDigit(host.charAt(host.length() - 1))) {
            p.setServerNames(List.of(new SNIHostName(host)));
        }
        ssl.setSSLParameters(p);
        ssl.startHandshake();
        return ssl;
    }

    private static String request(URI uri, Endpoint e) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return "GET " + path + query + " HTTP/1.1\r\nHost: " + e.authority() + "\r\nUser-Agent: fusionpipe-ingest\r\n"
                + "Accept: image/*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n";
    }

    private static int statusCode(String statusLine) throws IOException {
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("[0-9]{3}")) {
            throw new IOException("not an HTTP reply: '" + abbreviate(statusLine) + "'");
        }
        return Integer.parseInt(parts[1]);
    }

    private static Map<String, String> headers(DeadlineStream in) throws IOException {
        Map<String, String> headers = new HashMap<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return headers;
    }

    private static byte[] body(DeadlineStream in, Map<String, String> headers, long maxBytes) throws IOException {
        String te = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
        if (te.contains("chunked")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                String size = line(in);
                int semi = size.indexOf(';');
                long n;
                try {
                    n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size '" + abbreviate(size) + "'");
                }
                if (n < 0) {
                    throw new IOException("bad chunk size '" + abbreviate(size) + "'");
                }
                if (n == 0) {
                    return out.toByteArray();
                }
                if (out.size() + n > maxBytes) {
                    throw new TooLarge("more than " + maxBytes + " bytes");
                }
                out.write(exactly(in, (int) n));
                line(in);
            }
        }
        String length = headers.get("content-length");
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length '" + abbreviate(length) + "'");
            }
            if (n < 0) {
                throw new IOException("bad Content-Length '" + abbreviate(length) + "'");
            }
            if (n > maxBytes) {
                throw new TooLarge(n + " bytes declared > " + maxBytes);
            }
            return exactly(in, (int) n);
        }
        byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (data.length > maxBytes) {
            throw new TooLarge("more than " + maxBytes + " bytes");
        }
        return data;
    }

    private static byte[] exactly(InputStream in, int n) throws IOException {
        byte[] data = in.readNBytes(n);
        if (data.length < n) {
            throw new IOException("the body ended after " + data.length + " of " + n + " bytes");
        }
        return data;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int end = sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r' ? sb.length() - 1 : sb.length();
                return sb.substring(0, end);
            }
            if (sb.length() >= MAX_HEADER_BYTES) {
                throw new IOException("a header line over " + MAX_HEADER_BYTES + " bytes");
            }
            sb.append((char) c);
        }
        throw new IOException("the connection closed inside the headers");
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    static int remainingMs(long deadlineNanos, String during) throws DeadlineExceeded {
        long ms = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
            throw new DeadlineExceeded("the time allowed per image ran out while " + during);
        }
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    /** Socket input whose every read waits at most the read timeout and never past the deadline; buffered. */
    private static final class DeadlineStream extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final int readTimeoutMs;
        private final long deadlineNanos;
        private final byte[] buffer = new byte[16 * 1024];
        private int pos;
        private int limit;

        DeadlineStream(Socket socket, int readTimeoutMs, long deadlineNanos) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.readTimeoutMs = readTimeoutMs;
            this.deadlineNanos = deadlineNanos;
        }

        private boolean fill() throws IOException {
            int wait = Math.min(readTimeoutMs, remainingMs(deadlineNanos, "reading the reply"));
            socket.setSoTimeout(Math.max(1, wait));
            try {
                limit = in.read(buffer);
            } catch (SocketTimeoutException e) {
                remainingMs(deadlineNanos, "reading the reply");
                throw new SocketTimeoutException("no data for " + readTimeoutMs + " ms (read timeout)");
            }
            pos = 0;
            return limit > 0;
        }

        @Override
        public int read() throws IOException {
            if (pos >= limit && !fill()) {
                return -1;
            }
            return buffer[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pos >= limit && !fill()) {
                return -1;
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(buffer, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
