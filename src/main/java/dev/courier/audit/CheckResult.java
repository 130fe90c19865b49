package dev.courier.audit;

/**
 * One line of an audit.
 *
 * @param check  the check's name, e.g. {@code postgres.connections}; also the {@code check} label of
 *               {@code courier_audit_check}
 * @param figure what was found, with the numbers
 * @param fix    what to change; empty when there is nothing to do
 */
public record CheckResult(String check, CheckStatus status, String figure, String fix) {

    static CheckResult pass(String check, String figure) {
        return new CheckResult(check, CheckStatus.PASS, figure, "");
    }

    static CheckResult warn(String check, String figure, String fix) {
        return new CheckResult(check, CheckStatus.WARN, figure, fix);
    }

    static CheckResult fail(String check, String figure, String fix) {
        return new CheckResult(check, CheckStatus.FAIL, figure, fix);
    }
}
