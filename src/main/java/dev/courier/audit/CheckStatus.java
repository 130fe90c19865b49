package dev.courier.audit;

/** A check's verdict: fine, worth a look, or to be fixed before it causes an outage. */
public enum CheckStatus {
    PASS, WARN, FAIL;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
