package dev.courier.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.websocket.WsConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where each feature registers its routes, each with its {@link RoutePolicy}: adding an endpoint is one line that
 * says who may call it, whether it is admitted and which bucket it spends. The policy travels with the endpoint
 * (Javalin endpoint metadata), where {@code server.RouteGuard} reads it for the route a request matched. A route
 * registered on Javalin directly has none: it is refused with {@code 500}, and {@code RoutePolicyTest} names it.
 */
public final class Routes {

    /** The method a WebSocket route is declared under. */
    public static final String WEBSOCKET = "WEBSOCKET";

    /** One registered route and its policy; {@code method} is an HTTP method, or {@link #WEBSOCKET}. */
    public record Declared(String method, String path, RoutePolicy policy) {
    }

    private final RoutesConfig javalin;
    private final List<Declared> declared = new ArrayList<>();

    public Routes(RoutesConfig javalin) {
        this.javalin = javalin;
    }

    /**
     * Also declares {@code HEAD} with the same policy and an empty answer: Javalin answers a {@code HEAD} on a
     * {@code GET} route with an empty {@code 200} without running the handler, but without telling the filters which
     * route it is; declared, the answer stays the same and the route's policy still applies.
     */
    public void get(String path, RoutePolicy policy, Handler handler) {
        add(HandlerType.GET, path, policy, handler);
        add(HandlerType.HEAD, path, policy, ctx -> { });
    }

    public void post(String path, RoutePolicy policy, Handler handler) {
        add(HandlerType.POST, path, policy, handler);
    }

    public void patch(String path, RoutePolicy policy, Handler handler) {
        add(HandlerType.PATCH, path, policy, handler);
    }

    public void put(String path, RoutePolicy policy, Handler handler) {
        add(HandlerType.PUT, path, policy, handler);
    }

    public void delete(String path, RoutePolicy policy, Handler handler) {
        add(HandlerType.DELETE, path, policy, handler);
    }

    /**
     * A WebSocket route. Javalin runs no HTTP filter for an upgrade, so {@code beforeUpgrade} must itself refuse a
     * caller the policy does not allow; the admission gate in front of Javalin still applies to its path.
     */
    public void socket(String path, RoutePolicy policy, Handler beforeUpgrade, Consumer<WsConfig> socket) {
        declared.add(new Declared(WEBSOCKET, path, policy));
        javalin.wsBeforeUpgrade(path, beforeUpgrade);
        javalin.ws(path, socket);
    }

    /** Every route registered here, in the order of registration. */
    public List<Declared> declared() {
        return List.copyOf(declared);
    }

    private void add(HandlerType method, String path, RoutePolicy policy, Handler handler) {
        declared.add(new Declared(method.name(), path, policy));
        javalin.addEndpoint(Endpoint.create(method, path).addMetadata(policy).handler(handler));
    }
}
