package io.fusionpipe.layout;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process as a lock holder: pid, host name, start time and the identity of the process table
 * it lives in (Linux boot id + pid namespace). Two holders with the same process table can check
 * each other's liveness by pid; containers on one kernel have different pid namespaces, hosts have
 * different boot ids, so a pid is never looked up in the wrong table.
 */
record ProcessIdentity(long pid, String host, long start, String processTable) {

    static final ProcessIdentity THIS = detect();

    private static ProcessIdentity detect() {
        ProcessHandle self = ProcessHandle.current();
        long start = self.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown-host";
        }
        return new ProcessIdentity(self.pid(), host, start, detectProcessTable());
    }

    /** "BOOT_ID/pid:[NNN]", or "" where it cannot be known (not Linux): liveness is then judged by the lease alone. */
    private static String detectProcessTable() {
        try {
            String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
            String ns = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
            return boot.isEmpty() ? "" : boot + "/" + ns;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return "";
        }
    }

    boolean sameProcessTable(String other) {
        return !processTable.isEmpty() && processTable.equals(other);
    }

    /** False when no process {@code pid} runs, or one does that started at another time (the pid was reused). */
    static boolean alive(long pid, long startMillis) {
        return ProcessHandle.of(pid).map(h -> {
            if (!h.isAlive()) {
                return false;
            }
            long started = h.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
            // start times are read from /proc at a clock-tick resolution: allow a second of slack
            return startMillis == 0 || started == 0 || Math.abs(started - startMillis) < 1000;
        }).orElse(false);
    }
}
