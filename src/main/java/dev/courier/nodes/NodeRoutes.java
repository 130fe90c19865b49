package dev.courier.nodes;

import dev.courier.events.DomainEvent;
import dev.courier.events.EventSink;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * {@code GET /v1/admin/nodes}: every node of the deployment as it last described itself, alive ones first.
 * {@code POST /v1/admin/nodes/probe}: publishes a bus probe, which each node that hears it records
 * ({@code courier audit} reads the receipts).
 */
public final class NodeRoutes {

    private final NodeRegistry registry;
    private final EventSink events;

    public NodeRoutes(NodeRegistry registry, EventSink events) {
        this.registry = registry;
        this.events = events;
    }

    public void register(Routes routes) {
        routes.get("/v1/admin/nodes", RoutePolicy.admin(), ctx -> ctx.json(Map.of(
                "self", registry.node().id(),
                "goneAfterSeconds", NodeRegistry.GONE_AFTER.toSeconds(),
                "nodes", registry.nodes())));
        routes.post("/v1/admin/nodes/probe", RoutePolicy.admin(), ctx -> {
            UUID probe = UUID.randomUUID();
            Instant sentAt = Instant.now();
            events.publish(new DomainEvent.BusProbe(probe));
            ctx.status(202).json(Map.of("probeId", probe, "sentAt", sentAt, "from", registry.node().id()));
        });
    }
}
