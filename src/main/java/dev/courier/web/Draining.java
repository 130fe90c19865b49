package dev.courier.web;

/**
 * Whether this node is stopping: once set, readiness answers {@code 503} so that load balancers send nothing new here,
 * the {@link DrainGate} refuses new requests and streams, and the open streams are asked to go elsewhere. Set once,
 * never cleared: a node that drains exits.
 */
public final class Draining {

    private volatile boolean draining;

    public void begin() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }
}
