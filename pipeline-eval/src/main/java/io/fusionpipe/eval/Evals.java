package io.fusionpipe.eval;

import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.errors.NotFoundException;
import io.fusionpipe.layout.Commits;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.records.EvalRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reading published evaluations, {@code ROOT/evals/<eval-id>/metrics.json}: one place for reports, promotion and the demo. */
public final class Evals {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Evals.class);

    private Evals() {
    }

    /** metrics.json of {@code evalId}; an error naming the eval, and the ones that exist, when it is unknown or unreadable. */
    public static EvalRecord read(FusionRoot root, Configuration hadoop, String evalId) {
        FusionRoot.checkName("eval id", evalId);
        Path m = new Path(root.eval(evalId), EvalRecord.FILE);
        String text;
        try {
            if (m.getFileSystem(hadoop).exists(m) && !Commits.committed(hadoop, root.eval(evalId), EvalRecord.FILE)) {
                throw new NotFoundException("eval " + evalId + " is not committed (no " + Commits.marker(root.eval(evalId))
                        + ": its publish did not finish); run eval again");
            }
            if (!m.getFileSystem(hadoop).exists(m)) {
                List<String> known = list(root, hadoop).stream().map(EvalRecord::evalId).toList();
                throw new NotFoundException("unknown eval " + evalId + ": no " + m + (known.isEmpty() ? " (no evaluations under " + root.evals() + ")"
                        : " (known: " + String.join(", ", known.subList(Math.max(0, known.size() - 10), known.size())) + ")"));
            }
            text = HadoopFiles.readString(hadoop, m);
        } catch (IOException e) {
            throw new BadInputException(m + " is not readable: " + e.getMessage());
        }
        return EvalRecord.fromJson(text, m.toString());
    }

    /** Every published evaluation's metrics.json, oldest first (by creation time, then id); hidden staging dirs are skipped. */
    public static List<EvalRecord> list(FusionRoot root, Configuration hadoop) {
        Path evals = root.evals();
        List<EvalRecord> out = new ArrayList<>();
        try {
            FileSystem fs = evals.getFileSystem(hadoop);
            if (!fs.exists(evals)) {
                return out;
            }
            for (FileStatus st : fs.listStatus(evals)) {
                Path m = new Path(st.getPath(), EvalRecord.FILE);
                if (st.getPath().getName().startsWith(".") || !fs.exists(m)) {
                    continue;
                }
                if (!Commits.committed(hadoop, st.getPath(), EvalRecord.FILE)) {
                    LOG.warn("ignoring {}: no {} (a publish that did not finish)", st.getPath(), Commits.MARKER);
                    continue;
                }
                out.add(EvalRecord.fromJson(HadoopFiles.readString(hadoop, m), m.toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + evals + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(EvalRecord::created).thenComparing(EvalRecord::evalId));
        return out;
    }

    /** The evaluations of dataset {@code name} (any version), oldest first. */
    public static List<EvalRecord> ofDataset(FusionRoot root, Configuration hadoop, String name) {
        return list(root, hadoop).stream().filter(n -> n.dataset().name().equals(name)).toList();
    }
}
