package io.fusionpipe.train;

import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.status.api.v1.ThreadStackTrace;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple4;
import scala.collection.JavaConverters;
import scala.collection.Iterator;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Live progress of an epoch on the driver's console (stderr): minibatches fitted so far, their mean
 * loss, samples/s and ETA. A {@link Listener} on the workers' models adds to two Spark accumulators
 * at every iteration; the driver sees running tasks' values in the executors' heartbeats (every
 * {@code spark.executor.heartbeatInterval}, which TrainCommand sets to 5 s) and finished tasks' in
 * the accumulators, so it works the same on local[N] and on a cluster.
 */
final class TrainProgress extends SparkListener implements AutoCloseable {

    /** What the driver knows so far in this epoch. */
    record Snapshot(long batches, double meanLoss) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(TrainProgress.class);
    private static final long THREAD_DUMP_WAIT_SECONDS = 15;
    private static final int THREAD_DUMP_FRAMES = 40;

    private final SparkContext sc;
    private final LongAccumulator batches;
    private final DoubleAccumulator losses;
    private final Map<Long, Long> runningBatches = new ConcurrentHashMap<>();
    private final Map<Long, Double> runningLosses = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final List<String> lostExecutors = new CopyOnWriteArrayList<>();
    private final Map<Long, TaskInfo> runningTasks = new ConcurrentHashMap<>();
    private final Map<String, String> executorHosts = new ConcurrentHashMap<>();
    private volatile boolean fitting;
    private volatile long lastBatches = -1;
    private volatile long lastChange = System.nanoTime();
    private volatile String stalled;
    private volatile String stalledThreads = "";

    /**
     * @param stallMillis when no minibatch (and no task) finishes for this long while fitting, every Spark job is
     *                    cancelled and {@link #stalled()} says why (DL4J's gradient sharing can wait
     *                    forever after losing an executor); 0 never
     */
    TrainProgress(SparkContext sc, String name, long intervalMillis, long stallMillis, PrintStream out, Function<Snapshot, String> line) {
        this.sc = sc;
        this.batches = sc.longAccumulator(name + ".batches");
        this.losses = sc.doubleAccumulator(name + ".loss");
        sc.addSparkListener(this);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fusionpipe-train-progress");
            t.setDaemon(true);
            return t;
        });
        if (intervalMillis > 0) {
            timer.scheduleAtFixedRate(() -> {
                Snapshot s = snapshot();
                if (s.batches() > 0) {
                    out.println(line.apply(s));
                }
            }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        }
        if (stallMillis > 0) {
            long check = Math.max(200, Math.min(5_000, stallMillis / 4));
            timer.scheduleAtFixedRate(() -> watch(stallMillis), check, check, TimeUnit.MILLISECONDS);
        }
    }

    private void watch(long stallMillis) {
        long n = snapshot().batches();
        long now = System.nanoTime();
        if (!fitting || n != lastBatches) {
            lastBatches = n;
            lastChange = now;
            return;
        }
        if (stalled == null && now - lastChange > stallMillis * 1_000_000L) {
            List<String> why = new ArrayList<>();
            Set<String> waiting = new TreeSet<>();
            Set<String> waitingIds = new TreeSet<>();
            for (TaskInfo t : runningTasks.values()) {
                waiting.add("executor " + t.executorId() + " on " + t.host());
                waitingIds.add(t.executorId());
            }
            if (!waiting.isEmpty()) {
                why.add("waiting for " + String.join(", ", waiting));
            }
            if (!lostExecutors.isEmpty()) {
                why.add("lost executors: " + String.join("; ", lostExecutors));
            }
            stalled = String.format(Locale.ROOT, "no minibatch finished for %s after %d in this epoch%s; training was stopped",
                    duration(stallMillis / 1000.0), n, why.isEmpty() ? "" : " (" + String.join("; ", why) + ")");
            stalledThreads = threadsOf(waitingIds);
            sc.cancelAllJobs();
        }
    }

    /**
     * Logs, before the stalled jobs are cancelled and the evidence is gone, what the threads that matter
     * (Spark tasks, DL4J, ND4J, Aeron) of each executor the fit waits for are doing: where a worker hangs
     * is otherwise invisible, since its log just stops.
     */
    private String threadsOf(Set<String> executorIds) {
        // asked of all at once: a partitioned executor's answer times out while the others' arrive
        ExecutorService asking = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fusionpipe-thread-dump");
            t.setDaemon(true);
            return t;
        });
        Map<String, CompletableFuture<Option<ThreadStackTrace[]>>> dumps = new TreeMap<>();
        for (String id : executorIds) {
            dumps.put(id, CompletableFuture.supplyAsync(() -> sc.getExecutorThreadDump(id), asking));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(THREAD_DUMP_WAIT_SECONDS);
        StringBuilder all = new StringBuilder();
        dumps.forEach((id, dump) -> {
            try {
                Option<ThreadStackTrace[]> threads = dump.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (threads.isEmpty()) {
                    LOG.warn("stalled fit: no thread dump from executor {} (gone)", id);
                    return;
                }
                StringBuilder text = new StringBuilder();
                for (ThreadStackTrace t : threads.get()) {
                    List<String> frames = JavaConverters.seqAsJavaList(t.stackTrace().elems());
                    if (t.threadName().startsWith("Executor task launch") || frames.stream().anyMatch(TrainProgress::interesting)) {
                        text.append("\n  thread \"").append(t.threadName()).append("\" ").append(t.threadState());
                        frames.stream().limit(THREAD_DUMP_FRAMES).forEach(f -> text.append("\n      ").append(f.strip()));
                    }
                }
                LOG.warn("stalled fit: threads of executor {}:{}", id, text);
                all.append("executor ").append(id).append(':').append(text).append('\n');
            } catch (TimeoutException e) {
                LOG.warn("stalled fit: executor {} did not answer a thread dump request in {} s", id, THREAD_DUMP_WAIT_SECONDS);
            } catch (Exception e) {
                LOG.warn("stalled fit: no thread dump from executor {}: {}", id, e.toString());
            }
        });
        asking.shutdownNow();
        return all.toString();
    }

    private static boolean interesting(String frame) {
        return frame.contains("org.deeplearning4j") || frame.contains("org.nd4j") || frame.contains("io.aeron")
                || frame.contains("io.fusionpipe");
    }

    /** Marks the span of a fit: the stall watch only runs inside it. */
    void fitting(boolean on) {
        lastChange = System.nanoTime();
        fitting = on;
    }

    /** The stacks {@link #stalled()} logged of the threads the fit waited for; empty before a stall. */
    String stalledThreads() {
        return stalledThreads;
    }

    /** Why training was stopped for lack of progress, or null. */
    String stalled() {
        return stalled;
    }

    @Override
    public void onExecutorAdded(org.apache.spark.scheduler.SparkListenerExecutorAdded added) {
        executorHosts.put(added.executorId(), added.executorInfo().executorHost());
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
        String host = executorHosts.get(removed.executorId());
        lostExecutors.add("executor " + removed.executorId() + (host == null ? "" : " on " + host) + ": " + removed.reason());
    }

    /** The listener to put on the workers' models (SparkComputationGraph.setListeners). */
    Listener listener() {
        return new Listener(batches, losses);
    }

    /** Iterations and summed minibatch losses since the last reset: finished tasks plus what running tasks reported. */
    Snapshot snapshot() {
        long n = batches.value();
        double loss = losses.value();
        for (long v : runningBatches.values()) {
            n += v;
        }
        for (double v : runningLosses.values()) {
            loss += v;
        }
        return new Snapshot(n, n == 0 ? Double.NaN : loss / n);
    }

    void reset() {
        runningBatches.clear();
        runningLosses.clear();
        batches.reset();
        losses.reset();
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        Iterator<Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>>> it = update.accumUpdates().iterator();
        while (it.hasNext()) {
            Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>> task = it.next();
            long taskId = (Long) task._1();
            Iterator<AccumulableInfo> infos = task._4().iterator();
            while (infos.hasNext()) {
                AccumulableInfo info = infos.next();
                if (info.update().isDefined() && info.update().get() instanceof Number n) {
                    if (info.id() == batches.id()) {
                        runningBatches.put(taskId, n.longValue());
                    } else if (info.id() == losses.id()) {
                        runningLosses.put(taskId, n.doubleValue());
                    }
                }
            }
        }
    }

    @Override
    public void onTaskStart(org.apache.spark.scheduler.SparkListenerTaskStart start) {
        runningTasks.put(start.taskInfo().taskId(), start.taskInfo());
        // executors that registered before this listener: known from their tasks
        executorHosts.putIfAbsent(start.taskInfo().executorId(), start.taskInfo().host());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskInfo().successful()) {
            // progress too: DL4J's own jobs before the first minibatch (counting, repartitioning) can take
            // longer than the stall timeout on a loaded machine, and a lost worker never finishes its task
            lastChange = System.nanoTime();
        }
        runningTasks.remove(end.taskInfo().taskId());
        runningBatches.remove(end.taskInfo().taskId());
        runningLosses.remove(end.taskInfo().taskId());
    }

    @Override
    public void close() {
        timer.shutdownNow();
        sc.removeSparkListener(this);
    }

    /**
     * Counts each fitted minibatch and its loss into the accumulators; travels to the workers inside
     * each Spark task. DL4J's per-JVM training wrapper keeps the listener of the first task it saw,
     * whose accumulators stop reporting when that task ends; so every copy deserialized in a task
     * registers itself as live until its task completes, and counts go to a live copy.
     */
    static final class Listener extends BaseTrainingListener implements Serializable {
        private static final Map<Long, Set<Listener>> LIVE = new ConcurrentHashMap<>();

        private final LongAccumulator batches;
        private final DoubleAccumulator losses;

        Listener(LongAccumulator batches, DoubleAccumulator losses) {
            this.batches = batches;
            this.losses = losses;
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            Listener target = this;
            Set<Listener> live = LIVE.get(batches.id());
            if (live != null) {
                for (Listener l : live) {
                    target = l;
                    break;
                }
            }
            target.batches.add(1);
            double score = model.score();
            if (Double.isFinite(score)) {
                target.losses.add(score);
            }
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            TaskContext task = TaskContext.get();
            if (task != null) {
                Set<Listener> live = LIVE.computeIfAbsent(batches.id(), k -> ConcurrentHashMap.newKeySet());
                live.add(this);
                Listener self = this;
                task.addTaskCompletionListener(new TaskCompletionListener() {
                    @Override
                    public void onTaskCompletion(TaskContext context) {
                        live.remove(self);
                    }
                });
            }
        }
    }

    /** "1:05" or "1:02:03". */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
