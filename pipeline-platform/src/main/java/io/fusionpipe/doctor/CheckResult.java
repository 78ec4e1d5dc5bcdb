package io.fusionpipe.doctor;

/** Outcome of a check: what was found and, when it is not OK, how to fix it. */
public record CheckResult(Status status, String detail, String fix) {

    public enum Status { OK, WARN, FAIL }

    public static CheckResult ok(String detail) {
        return new CheckResult(Status.OK, detail, "");
    }

    public static CheckResult warn(String detail, String fix) {
        return new CheckResult(Status.WARN, detail, fix);
    }

    public static CheckResult fail(String detail, String fix) {
        return new CheckResult(Status.FAIL, detail, fix);
    }
}
