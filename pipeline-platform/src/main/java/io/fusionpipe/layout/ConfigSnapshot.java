package io.fusionpipe.layout;

import io.fusionpipe.config.FusionConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Writes the resolved configuration next to an output, so every output says how it was made. */
public final class ConfigSnapshot {

    private ConfigSnapshot() {
    }

    /** Writes {@code outputDir/fusionpipe.conf} atomically and returns its path. */
    public static Path write(Configuration hadoop, FusionConfig config, Path outputDir) {
        Path target = new Path(outputDir, FusionRoot.CONFIG_SNAPSHOT);
        HadoopFiles.writeAtomically(hadoop, target, config.render());
        return target;
    }
}
