package io.fusionpipe.train.cluster;

import io.fusionpipe.train.model.LayerLearningRates;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * Brings what the driver changes between epochs to every executor's model replica, and checks it
 * arrived. DL4J M2's SharedTrainingMaster broadcasts the model once per run and each executor keeps
 * its replica across fits, so the driver's learning-rate schedule, per-layer rates (a frozen image
 * encoder), re-estimated batch-normalisation statistics and restored frozen weights would otherwise
 * stay on the driver while the executors train on with the first epoch's.
 *
 * <p>Each epoch the driver broadcasts a {@link State} (epoch, rates, every parameter) and hands the
 * workers a new {@link WorkerListener} naming it. DL4J keeps the listener of the first task an
 * executor ran, so every copy deserialized in a task registers itself as the newest of its run's sync;
 * at the start of the epoch (before the first minibatch) the kept listener takes the newest
 * state, sets it on the replica, and reports back (a Spark accumulator) the learning rates now in
 * effect and a checksum of the parameters it now holds. {@link #verify} compares those reports
 * with the driver's own.
 */
public final class EpochSync {

    private static final Logger LOG = LoggerFactory.getLogger(EpochSync.class);

    /** What every replica starts an epoch from. {@code layerRates} are per-layer overrides, empty for none. */
    public record State(String run, int epoch, double learningRate, Map<String, Double> layerRates, float[] params,
                        Map<String, Double> ratesInEffect, String checksum) implements Serializable {

        /** The driver's model as it is now, with the rates it was just given. */
        public static State of(String run, int epoch, double learningRate, Map<String, Double> layerRates, ComputationGraph net) {
            float[] params = floats(net);
            return new State(run, epoch, learningRate, new TreeMap<>(layerRates), params, EpochSync.ratesInEffect(net), EpochSync.checksum(params));
        }
    }

    /** What one executor's replica held at the start of an epoch. */
    public record Report(String run, int epoch, String executor, String host, Map<String, Double> ratesInEffect, String checksum)
            implements Serializable {
    }

    private final JavaSparkContext jsc;
    private final CollectionAccumulator<Report> reports;
    private Broadcast<State> current;

    public EpochSync(SparkContext sc) {
        this.jsc = JavaSparkContext.fromSparkContext(sc);
        this.reports = sc.collectionAccumulator("fusionpipe.epoch-sync");
    }

    /** Broadcasts {@code state} (replacing the last one) and returns the listener the workers need for this epoch. */
    public WorkerListener listenerFor(State state) {
        release();
        reports.reset();
        current = jsc.broadcast(state);
        // keyed by this sync's accumulator too: a later session for the same run id in the same JVM
        // (a resume, another curve) must not take this one's states
        return new WorkerListener(state.run() + "#" + reports.id(), state.epoch(), current, reports);
    }

    /**
     * The problems with this epoch's reports: an executor that trained from other rates or other
     * parameters than {@code expected}, or no executor reporting at all. Empty when all agree.
     */
    public List<String> verify(State expected) {
        List<String> problems = new ArrayList<>();
        List<Report> mine = reports.value().stream().filter(r -> r.run().equals(expected.run()) && r.epoch() == expected.epoch()).toList();
        if (mine.isEmpty()) {
            problems.add("no executor reported the state it started epoch " + expected.epoch() + " from");
        }
        for (Report r : mine) {
            if (!r.checksum().equals(expected.checksum())) {
                problems.add("executor " + r.executor() + " on " + r.host() + " started epoch " + r.epoch() + " from parameters "
                        + r.checksum() + ", the driver's are " + expected.checksum());
            }
            if (!sameRates(r.ratesInEffect(), expected.ratesInEffect())) {
                problems.add("executor " + r.executor() + " on " + r.host() + " trained epoch " + r.epoch() + " at learning rates "
                        + compact(r.ratesInEffect()) + ", the driver's are " + compact(expected.ratesInEffect()));
            }
        }
        return problems;
    }

    /**
     * Fails unless every report agrees with {@code expected} ({@link #verify}); {@code what} names the
     * epoch in the message ("early epoch 2"). Returns the executors that reported.
     */
    public List<String> check(State expected, String what) {
        List<String> problems = verify(expected);
        if (!problems.isEmpty()) {
            throw new IllegalStateException(what + ": the workers did not train from the driver's state: " + String.join("; ", problems));
        }
        return reporters(expected);
    }

    /** The executors that reported for {@code epoch}, "id@host" each, sorted. */
    public List<String> reporters(State expected) {
        return reports.value().stream().filter(r -> r.run().equals(expected.run()) && r.epoch() == expected.epoch())
                .map(r -> r.executor() + "@" + r.host()).sorted().distinct().toList();
    }

    /** Drops the last broadcast state from the executors. */
    public void release() {
        if (current != null) {
            current.destroy();
            current = null;
        }
    }

    /** Learning rate of every layer that has one, by layer name. */
    public static Map<String, Double> ratesInEffect(ComputationGraph net) {
        Map<String, Double> out = new TreeMap<>();
        for (var layer : net.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (layer.numParams() > 0) {
                Double lr = net.getLearningRate(name);
                if (lr != null) {
                    out.put(name, lr);
                }
            }
        }
        return out;
    }

    /** CRC-32C of every parameter's float bits, batch-normalisation running statistics included. */
    public static String checksum(ComputationGraph net) {
        return checksum(floats(net));
    }

    private static String checksum(float[] p) {
        ByteBuffer b = ByteBuffer.allocate(p.length * 4);
        b.asFloatBuffer().put(p);
        CRC32C crc = new CRC32C();
        crc.update(b.array());
        return String.format(Locale.ROOT, "%08x/%d", crc.getValue(), p.length);
    }

    private static float[] floats(ComputationGraph net) {
        return net.params().castTo(DataType.FLOAT).toFloatVector();
    }

    /** "lr 1.00e-03 (conv0, norm0: 0.00e+00)": the common rate and the layers that differ. */
    public static String compact(Map<String, Double> rates) {
        Map<Double, List<String>> byRate = new TreeMap<>();
        rates.forEach((layer, lr) -> byRate.computeIfAbsent(lr, k -> new ArrayList<>()).add(layer));
        Double common = byRate.entrySet().stream().max((a, b) -> Integer.compare(a.getValue().size(), b.getValue().size()))
                .map(Map.Entry::getKey).orElse(Double.NaN);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "lr %.2e", common));
        byRate.forEach((lr, layers) -> {
            if (!lr.equals(common)) {
                s.append(String.format(Locale.ROOT, " (%s: %.2e)", String.join(", ", layers), lr));
            }
        });
        return s.toString();
    }

    private static boolean sameRates(Map<String, Double> a, Map<String, Double> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (var e : a.entrySet()) {
            if (Math.abs(e.getValue() - b.get(e.getKey())) > 1e-12 * Math.max(1, Math.abs(e.getValue()))) {
                return false;
            }
        }
        return true;
    }

    /** Sets a replica to {@code s}: parameters, then rates (the updater keeps each parameter's optimiser state). */
    static void apply(ComputationGraph net, State s) {
        INDArray params = net.params();
        params.assign(Nd4j.createFromArray(s.params()).castTo(params.dataType()).reshape(params.shape()));
        if (!s.layerRates().isEmpty()) {
            LayerLearningRates.apply(net, s.learningRate(), s.layerRates());
        } else if (!sameRates(ratesInEffect(net), s.ratesInEffect())) {
            net.setLearningRate(s.learningRate());
        }
    }

    /** On the workers' models: at each epoch's start, take the newest state of the run. */
    public static final class WorkerListener extends BaseTrainingListener implements Serializable {
        private static final long serialVersionUID = 1L;
        private static final Map<String, WorkerListener> NEWEST = new ConcurrentHashMap<>();

        private final String session;
        private final int epoch;
        private final Broadcast<State> state;
        private final CollectionAccumulator<Report> reports;
        private transient int applied;

        WorkerListener(String session, int epoch, Broadcast<State> state, CollectionAccumulator<Report> reports) {
            this.session = session;
            this.epoch = epoch;
            this.state = state;
            this.reports = reports;
        }

        @Override
        public void onEpochStart(Model model) {
            WorkerListener newest = NEWEST.getOrDefault(session, this);
            if (newest.epoch == applied || !(model instanceof ComputationGraph net)) {
                return; // DL4J may start several fits of one Spark epoch's data
            }
            State s = newest.state.value();
            apply(net, s);
            applied = s.epoch();
            SparkEnv env = SparkEnv.get();
            String executor = env == null ? "driver" : env.executorId();
            String host = env == null ? "?" : env.blockManager().blockManagerId().host();
            Report r = new Report(s.run(), s.epoch(), executor, host, EpochSync.ratesInEffect(net), EpochSync.checksum(net));
            newest.reports.add(r);
            LOG.info("epoch-sync: run {} epoch {} executor {} on {}: {}, parameters {}", s.run(), s.epoch(), executor, host,
                    compact(r.ratesInEffect()), r.checksum());
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            if (TaskContext.get() != null) {
                NEWEST.merge(session, this, (old, now) -> now.epoch >= old.epoch ? now : old);
            }
        }
    }
}
