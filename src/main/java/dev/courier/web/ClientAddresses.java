package dev.courier.web;

import dev.courier.config.Cidr;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Who the client is, for per-address limits: the socket's peer, unless that peer is a trusted proxy. Then the
 * {@code X-Forwarded-For} chain is read from the right (the hop nearest to us, which our proxy appended) and
 * the first address that is not itself a trusted proxy is the client: a client can prepend anything it likes
 * to the header, but cannot forge what our own proxies append after it.
 */
public final class ClientAddresses {

    private static final String HEADER = "X-Forwarded-For";
    private static final int MAX_HOPS = 20;

    private final List<Cidr> trustedProxies;
    /** Set by the first request that carried the header from a peer not trusted: a proxy we do not believe. */
    private volatile boolean untrustedForwardedForSeen;

    public ClientAddresses(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    public String of(Context ctx) {
        return resolve(ctx.req().getRemoteAddr(), ctx.req().getHeaders(HEADER));
    }

    /** {@code peer} is the socket's remote address; {@code forwarded} every X-Forwarded-For header, in order. */
    String resolve(String peer, java.util.Enumeration<String> forwarded) {
        Optional<InetAddress> peerAddress = Cidr.literal(peer);
        boolean peerTrusted = peerAddress.isPresent() && trusted(peerAddress.get());
        if (!peerTrusted && forwarded != null && forwarded.hasMoreElements() && !untrustedForwardedForSeen) {
            untrustedForwardedForSeen = true;
        }
        if (!peerTrusted || forwarded == null) {
            return canonical(peer, peerAddress);
        }
        // Several headers are one list, in the order they arrived.
        StringBuilder joined = new StringBuilder();
        while (forwarded.hasMoreElements()) {
            joined.append(joined.isEmpty() ? "" : ",").append(forwarded.nextElement());
        }
        String[] hops = joined.toString().split(",");
        String client = canonical(peer, peerAddress);
        int seen = 0;
        for (int i = hops.length - 1; i >= 0 && seen < MAX_HOPS; i--, seen++) {
            String hop = hops[i].trim();
            Optional<InetAddress> address = Cidr.literal(hop);
            if (address.isEmpty()) {
                // garbage in the chain: nothing left of it can be believed; the last believable hop is the client
                return client;
            }
            client = address.get().getHostAddress();
            if (!trusted(address.get())) {
                return client;
            }
        }
        return client;
    }

    /**
     * Whether a request arrived with {@code X-Forwarded-For} from a peer that is not a trusted proxy: the node sits
     * behind a load balancer it does not believe, so every client looks like the balancer to the per-address limits.
     */
    public boolean untrustedForwardedForSeen() {
        return untrustedForwardedForSeen;
    }

    private boolean trusted(InetAddress address) {
        for (Cidr block : trustedProxies) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static String canonical(String peer, Optional<InetAddress> parsed) {
        return parsed.map(InetAddress::getHostAddress).orElse(peer);
    }
}
