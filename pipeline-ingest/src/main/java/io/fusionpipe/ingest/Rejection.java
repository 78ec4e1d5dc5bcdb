package io.fusionpipe.ingest;

/** Thrown by row-level checks: the row goes to the rejects table with this reason and detail. */
public final class Rejection extends Exception {

    private final RejectReason reason;

    public Rejection(RejectReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
