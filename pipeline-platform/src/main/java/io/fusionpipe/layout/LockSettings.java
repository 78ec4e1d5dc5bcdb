package io.fusionpipe.layout;

import io.fusionpipe.config.FusionConfig;

import java.time.Duration;

/**
 * The {@code fusionpipe.locks} keys: how long a holder's lease lasts without renewal and how long a
 * second writer waits for a held lock before failing.
 */
public record LockSettings(Duration lease, Duration maxWait) {

    public static LockSettings of(FusionConfig config) {
        return new LockSettings(config.config().getDuration("fusionpipe.locks.lease"), config.config().getDuration("fusionpipe.locks.wait"));
    }

    public LockSettings withMaxWait(Duration w) {
        return new LockSettings(lease, w);
    }
}
