package io.fusionpipe.config;

import com.typesafe.config.ConfigValue;

/**
 * One documented key: its full path, doc sentence(s), value rule and default, all read from a
 * reference.conf so that the documentation and the validation cannot drift apart.
 */
public record KeySpec(String path, String doc, TypeRule rule, ConfigValue defaultValue) {

    /** Default rendered the way it would be written in HOCON. */
    public String renderedDefault() {
        return defaultValue.render(com.typesafe.config.ConfigRenderOptions.concise());
    }
}
