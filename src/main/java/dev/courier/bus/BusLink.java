package dev.courier.bus;

import java.time.Instant;

/**
 * A node's connection to its bus at one instant: what carries this node's events to the other nodes and theirs to it.
 * While it is down, streams on other nodes get this node's events, and this node's streams the others', only from the
 * stream hub's catch-up from the tables: seconds late, and nothing carries typing or presence.
 *
 * @param bus              the bus as {@link EventBus#describe()} names it ({@code postgres}, {@code nats://…})
 * @param throughDatabase  true for LISTEN/NOTIFY, whose connection is lost whenever PostgreSQL is
 * @param connected        false while the connection is down
 * @param downSince        when it went down, while it is; null while connected
 * @param reason           why it went down, as the client said it; null while connected or when nothing was said
 */
public record BusLink(String bus, boolean throughDatabase, boolean connected, Instant downSince, String reason) {

    /** Connected, or not started yet (nothing to alert on before the node listens). */
    public static BusLink up(String bus, boolean throughDatabase) {
        return new BusLink(bus, throughDatabase, true, null, null);
    }
}
