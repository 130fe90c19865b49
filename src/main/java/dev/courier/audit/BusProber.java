package dev.courier.audit;

import java.util.UUID;

/**
 * Has a node publish a bus probe ({@code DomainEvent.BusProbe}) and returns its id. Inside a node that is the
 * node itself; {@code courier audit} asks one through {@code POST /v1/admin/nodes/probe}.
 */
@FunctionalInterface
public interface BusProber {

    UUID publish() throws Exception;
}
