package dev.courier.web;

import dev.courier.ratelimit.Limit;
import io.javalin.router.EndpointMetadata;
import java.util.Optional;

/**
 * What a route asks of a request before its handler runs, declared where the route is registered ({@link Routes}):
 * who may call it, whether it takes one of the database's admission places, and which rate-limit bucket it spends.
 * A bucket is the caller's own when the route has a user, and the client address's when it has none (registration
 * and login come before any token).
 */
public record RoutePolicy(Caller caller, Admission admission, Optional<Limit> limit) implements EndpointMetadata {

    /** Who may call a route. */
    public enum Caller {
        /** Anyone who reaches the port: probes, the scrape, registration and login. */
        ANYONE,
        /** A user with a live session token. */
        USER,
        /** The operator, with the admin token; see {@link AdminAuthentication}. */
        ADMIN
    }

    /** How a request stands to the database's admission limit. */
    public enum Admission {
        /** Takes an admission place, and is refused {@code 503 overloaded} while none is free. */
        ADMITTED,
        /**
         * Admitted like any other, but it hashes a password, slow on purpose: how long it takes says nothing about
         * whether the server keeps up, so the limit does not learn from it.
         */
        SLOW_BY_DESIGN,
        /**
         * Takes no place: an operator, a probe and a scrape must be answered while the limit is reached, and a file
         * transfer would hold a place for as long as its client takes ({@link RoutePolicy#transfer()}).
         */
        EXEMPT
    }

    public RoutePolicy {
        if (caller == Caller.ADMIN && limit.isPresent()) {
            throw new IllegalArgumentException("the operator's requests spend no rate-limit bucket");
        }
    }

    /** A user's request: a session token, an admission place, no bucket until {@link #spending} names one. */
    public static RoutePolicy user() {
        return new RoutePolicy(Caller.USER, Admission.ADMITTED, Optional.empty());
    }

    /** Registration and login: no token yet, and a password hashed. */
    public static RoutePolicy passwordHashing() {
        return new RoutePolicy(Caller.ANYONE, Admission.SLOW_BY_DESIGN, Optional.empty());
    }

    /**
     * A user's file transfer (under {@link AdmissionGate#TRANSFER_PATHS}): a session token and no admission place. A
     * transfer lasts as long as its client takes to send or read the bytes, seconds to minutes, and would hold its
     * place all that time, though its database work is a few short statements, each bounded by the pool's own
     * deadline (an upload's store also waits its turn, attachments.StoreTurns). Twenty uploads at once held a pool of
     * 8's floor of places and the gate refused everything else (bench/results/2026-12-07-attachments.md).
     */
    public static RoutePolicy transfer() {
        return new RoutePolicy(Caller.USER, Admission.EXEMPT, Optional.empty());
    }

    /** A user's request that is slow on purpose (a password check, an export): the limit does not learn from it. */
    public static RoutePolicy userSlowByDesign() {
        return new RoutePolicy(Caller.USER, Admission.SLOW_BY_DESIGN, Optional.empty());
    }

    /** The admin API: the admin token, no admission place, no bucket. */
    public static RoutePolicy admin() {
        return new RoutePolicy(Caller.ADMIN, Admission.EXEMPT, Optional.empty());
    }

    /** Health probes and the metrics scrape: open, and answered while the admission limit is reached. */
    public static RoutePolicy probe() {
        return new RoutePolicy(Caller.ANYONE, Admission.EXEMPT, Optional.empty());
    }

    /** This policy, with each request spending a token of {@code bucket}. */
    public RoutePolicy spending(Limit bucket) {
        return new RoutePolicy(caller, admission, Optional.of(bucket));
    }
}
