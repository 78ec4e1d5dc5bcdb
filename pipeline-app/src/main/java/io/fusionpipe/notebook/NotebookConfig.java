package io.fusionpipe.notebook;

import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.config.FusionConfig;

import java.nio.file.Path;
import java.util.Map;

/**
 * The configuration a notebook runs with. Jupyter starts the kernel in the notebook's folder, so a
 * relative root from the launcher's config ({@code ./work} in conf/application.conf) would point
 * into notebooks/: it is taken from the project directory instead ({@code FUSIONPIPE_HOME}, which
 * bin/fusionpipe sets). In order:
 * <ol>
 *   <li>{@code FUSIONPIPE_ROOT}, when set;</li>
 *   <li>else {@code fusionpipe.root} of the launcher's base config ({@code FUSIONPIPE_CONFIG}, default
 *       conf/application.conf), a relative one resolved against the project directory.</li>
 * </ol>
 * Notebooks run on {@code local[2]} with Spark's log level at ERROR.
 */
public final class NotebookConfig {

    public static final String ROOT_ENV = "FUSIONPIPE_ROOT";
    public static final String HOME_ENV = "FUSIONPIPE_HOME";

    private NotebookConfig() {
    }

    public static FusionConfig load() {
        return load(System.getenv());
    }

    static FusionConfig load(Map<String, String> env) {
        ConfigLoader loader = ConfigLoader.fromClasspath();
        String base = env.get(ConfigOptions.DEFAULT_CONFIG_ENV);
        if (base != null && !base.isBlank()) {
            loader.file(Path.of(base));
        }
        loader.set("spark.master", "local[2]").set("spark.log-level", "ERROR");
        String root = env.get(ROOT_ENV);
        if (root == null || root.isBlank()) {
            root = loader.load().config().getString("fusionpipe.root");
            String home = env.get(HOME_ENV);
            if (!root.contains("://") && !Path.of(root).isAbsolute() && home != null && !home.isBlank()) {
                root = Path.of(home).resolve(root).normalize().toString();
            }
        }
        return loader.set("root", root).load();
    }
}
