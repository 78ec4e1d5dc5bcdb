package io.fusionpipe.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real S3 API server on loopback for a test class ({@code @RegisterExtension static final MiniS3 S3 = new MiniS3();})
 * or as a process ({@code main(dir)} prints "s3-endpoint=http://127.0.0.1:PORT" and runs until killed).
 * It is S3Proxy (Maven Central, {@code org.gaul:s3proxy}, the jar Maven copies to {@code fptest.s3proxy.jar}) with
 * its in-memory backend (flat keys, as S3 has; its filesystem backend maps directory markers onto real directories,
 * and deleting a marker there deletes the files under it), run as a child JVM so its Jetty and jclouds stay off the
 * test classpath. It checks
 * AWS signatures (v2 and v4), so the credentials below go through Hadoop's standard provider chain as a user's would.
 */
public final class MiniS3 implements BeforeAllCallback, AfterAllCallback {

    public static final String BUCKET = "fusionpipe";
    public static final String ACCESS_KEY = "fusionpipe-test";
    public static final String SECRET_KEY = "fusionpipe-test-secret";

    private Process process;
    private String endpoint;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start(TestRoots.newRoot("s3-" + context.getRequiredTestClass().getSimpleName()));
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor();
            process = null;
        }
    }

    /** "http://127.0.0.1:PORT". */
    public String endpoint() {
        return endpoint;
    }

    /** Hadoop settings that point S3A at this server (path-style, no TLS, its keys through the simple provider). */
    public Map<String, String> hadoopSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("fs.s3a.endpoint", endpoint);
        m.put("fs.s3a.endpoint.region", "us-east-1");
        m.put("fs.s3a.path.style.access", "true");
        m.put("fs.s3a.connection.ssl.enabled", "false");
        m.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        m.put("fs.s3a.access.key", ACCESS_KEY);
        m.put("fs.s3a.secret.key", SECRET_KEY);
        m.put("fs.s3a.attempts.maximum", "3");
        m.put("fs.s3a.retry.limit", "3");
        return m;
    }

    /** {@link #hadoopSettings} as Fusionpipe {@code --set} lines ({@code fusionpipe.spark.conf."spark.hadoop.K"=V}). */
    public List<String> configSets() {
        List<String> sets = new ArrayList<>();
        hadoopSettings().forEach((k, v) -> sets.add("fusionpipe.spark.conf.\"spark.hadoop." + k + "\"=" + v));
        return sets;
    }

    void start(Path base) throws IOException, InterruptedException {
        String jar = System.getProperty("fptest.s3proxy.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("the S3 server's jar is missing (" + jar + "): run the tests through Maven "
                    + "(mvn -pl pipeline-app test), which copies org.gaul:s3proxy to target/s3proxy/s3proxy.jar");
        }
        int port = freePort();
        endpoint = "http://127.0.0.1:" + port;
        Path properties = base.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=transient", ""));
        Path log = base.resolve("s3proxy.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-Xmx1g", "-jar", jar, "--properties", properties.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.currentTimeMillis() + 120_000;
        while (!accepts(port)) {
            if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("S3Proxy did not start on " + endpoint + " (exit "
                        + (process.isAlive() ? "none, timed out" : process.exitValue()) + "); its log: " + Files.readString(log));
            }
            Thread.sleep(200);
        }
        createBucket();
    }

    /** PUT /BUCKET, signed (AWS signature version 2) with the server's keys. */
    private void createBucket() throws IOException {
        String date = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
        String signature;
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
            mac.init(new javax.crypto.spec.SecretKeySpec(SECRET_KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA1"));
            signature = java.util.Base64.getEncoder().encodeToString(
                    mac.doFinal(("PUT\n\n\n" + date + "\n/" + BUCKET).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create(endpoint + "/" + BUCKET).toURL().openConnection();
        c.setRequestMethod("PUT");
        c.setRequestProperty("Date", date);
        c.setRequestProperty("Authorization", "AWS " + ACCESS_KEY + ":" + signature);
        c.setFixedLengthStreamingMode(0);
        c.setDoOutput(true);
        c.getOutputStream().close();
        int code = c.getResponseCode();
        if (code != 200) {
            throw new IllegalStateException("S3Proxy refused to create bucket " + BUCKET + ": HTTP " + code);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static void main(String[] args) throws Exception {
        MiniS3 s3 = new MiniS3();
        s3.start(Path.of(args.length > 0 ? args[0] : "target/minis3").toAbsolutePath());
        System.out.println("s3-endpoint=" + s3.endpoint());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> s3.process.destroy()));
        s3.process.waitFor();
    }
}
