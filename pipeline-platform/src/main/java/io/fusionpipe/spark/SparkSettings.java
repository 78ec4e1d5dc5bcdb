package io.fusionpipe.spark;

import io.fusionpipe.config.FusionConfig;

import java.util.Map;

/** Typed view of {@code fusionpipe.spark.*}. */
public record SparkSettings(String master, String appNamePrefix, boolean uiEnabled, int shufflePartitions,
                            String logLevel, Map<String, String> extraConf) {

    public static SparkSettings of(FusionConfig config) {
        var c = config.config();
        return new SparkSettings(
                c.getString("fusionpipe.spark.master"),
                c.getString("fusionpipe.spark.app-name-prefix"),
                c.getBoolean("fusionpipe.spark.ui-enabled"),
                c.getInt("fusionpipe.spark.shuffle-partitions"),
                c.getString("fusionpipe.spark.log-level"),
                config.stringMap("fusionpipe.spark.conf"));
    }
}
