package dev.courier.stream;

import dev.courier.testing.NatsServer;

/** The two-node contract over NATS, with a nats-server of the test's own that the outage restarts. */
class NatsBusStreamTest extends TwoNodeStreamContract {

    private NatsServer nats;

    @Override
    void startBus() {
        nats = NatsServer.start();
    }

    @Override
    void stopBus() {
        if (nats != null) {
            nats.close();
        }
    }

    @Override
    String bus() {
        return nats.url();
    }

    @Override
    void breakTheBus() {
        nats.restart();
    }
}
