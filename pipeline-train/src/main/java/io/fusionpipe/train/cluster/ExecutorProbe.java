package io.fusionpipe.train.cluster;

import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * What each executor will train with, asked before the first fit: its host, the address and port
 * its gradient-sharing transport will bind (the same choice DL4J's worker makes later in that JVM),
 * heap, ND4J's off-heap caps and backend. The driver logs one line per executor and refuses to
 * train when an executor would bind a loopback address while the driver's transport is not on one:
 * no update would ever reach it from another host.
 */
public final class ExecutorProbe {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorProbe.class);

    /** One executor's answer; {@code error} says why its transport address could not be chosen. */
    public record ExecutorInfo(String executor, String host, String address, int port, long maxHeap, long offheapMax,
                               long offheapMaxPhysical, String backend, String ompThreads, String gpu, String error) implements Serializable {

        public String line() {
            return String.format(Locale.ROOT, "executor %s on %s: gradient sharing %s:%d, heap %s, off-heap max %s (physical %s), ND4J %s, "
                            + "OMP_NUM_THREADS %s%s%s", executor, host, address, port, mib(maxHeap), mib(offheapMax), mib(offheapMaxPhysical),
                    backend, ompThreads, gpu == null ? "" : ", " + gpu, error == null ? "" : ", ERROR " + error);
        }
    }

    private ExecutorProbe() {
    }

    /**
     * Runs small tasks until every registered executor has answered (three rounds at most) and
     * returns the answers by executor id. Waits up to {@code waitMillis} first for
     * {@code spark.executor.instances} executors to register, when that is set.
     */
    public static List<ExecutorInfo> probe(JavaSparkContext jsc, RoutedVoidConfiguration transport, int port, int span, long waitMillis) {
        int expected = jsc.getConf().getInt("spark.executor.instances", 0);
        long deadline = System.currentTimeMillis() + waitMillis;
        while (executors(jsc) < expected && System.currentTimeMillis() < deadline) {
            sleep(500);
        }
        if (executors(jsc) < expected) {
            LOG.warn("{} of {} executors registered after {} s; training starts with those", executors(jsc), expected, waitMillis / 1000);
        }
        Map<String, ExecutorInfo> seen = new TreeMap<>();
        for (int round = 0; round < 3 && seen.size() < executors(jsc); round++) {
            int tasks = Math.max(4, 4 * executors(jsc));
            for (ExecutorInfo info : jsc.parallelize(IntStream.range(0, tasks).boxed().toList(), tasks)
                    .map(i -> describe(transport, port, span)).collect()) {
                seen.putIfAbsent(info.executor(), info);
            }
        }
        return new ArrayList<>(seen.values());
    }

    /**
     * Problems that must stop training: an executor whose transport address could not be chosen, or
     * one on loopback while the driver's transport address ({@code controller}) is not.
     */
    public static List<String> problems(List<ExecutorInfo> executors, String controller) {
        List<String> out = new ArrayList<>();
        boolean controllerLoopback = isLoopback(controller);
        for (ExecutorInfo e : executors) {
            if (e.error() != null) {
                out.add("executor " + e.executor() + " on " + e.host() + ": " + e.error());
            } else if (!controllerLoopback && isLoopback(e.address())) {
                out.add("executor " + e.executor() + " on " + e.host() + " would bind its gradient-sharing transport to " + e.address()
                        + " while the driver's is " + controller + ": no other host can reach it (set fusionpipe.train.shared.network-mask "
                        + "to the executors' network, or check this host's route to " + controller + ")");
            }
        }
        return out;
    }

    static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static ExecutorInfo describe(RoutedVoidConfiguration transport, int port, int span) {
        sleep(150); // lets the other executors take some of the tasks
        SparkEnv env = SparkEnv.get();
        String executor = env.executorId();
        String host = env.blockManager().blockManagerId().host();
        String address = "?";
        int bound = -1;
        String error = null;
        try {
            address = transport.executorAddress();
            bound = TransportPorts.executorPort(port, span);
        } catch (RuntimeException e) {
            error = e.getMessage();
        }
        String omp = System.getenv("OMP_NUM_THREADS");
        return new ExecutorInfo(executor, host, address, bound, Runtime.getRuntime().maxMemory(), Pointer.maxBytes(), Pointer.maxPhysicalBytes(),
                Nd4j.getBackend().getClass().getSimpleName(), omp == null ? "unset" : omp, gpu(), error);
    }

    /**
     * The GPU Spark assigned this task (spark.task.resource.gpu.amount) and what the process can see.
     * DL4J's Spark worker trains on device 0 of the devices the process sees, so the assigned GPU is
     * the one used only when the executor sees that GPU alone (Kubernetes' device plugin, YARN's GPU
     * isolation, or CUDA_VISIBLE_DEVICES on a standalone worker per GPU). Unverified: no GPU here.
     */
    static String gpu() {
        org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
        if (task == null || !task.resources().contains("gpu")) {
            return null;
        }
        String assigned = String.join(",", task.resources().apply("gpu").addresses());
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        String note = visible == null && !assigned.equals("0")
                ? " (WARNING: every GPU is visible, DL4J trains on device 0: isolate GPUs per executor, see deploy/README)" : "";
        return "GPU " + assigned + ", CUDA_VISIBLE_DEVICES " + (visible == null ? "unset" : visible) + note;
    }

    private static int executors(JavaSparkContext jsc) {
        return Math.max(0, jsc.sc().getExecutorMemoryStatus().size() - 1); // less the driver
    }

    private static String mib(long bytes) {
        return bytes <= 0 ? "unlimited" : (bytes >> 20) + " MiB";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
