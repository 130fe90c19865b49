package dev.courier.loadtest;

/** The run could not be prepared or checked: the server refused a setup step the contract says it must accept. */
public final class LoadSetupException extends RuntimeException {

    public LoadSetupException(String message) {
        super(message);
    }
}
