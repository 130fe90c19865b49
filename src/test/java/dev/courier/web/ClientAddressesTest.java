package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.config.SecurityConfig;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {

    private final ClientAddresses behindProxies =
            new ClientAddresses(SecurityConfig.parseTrustedProxies("10.0.0.0/8, 2001:db8::/32"));

    @Test
    void withoutTrustedProxiesTheHeaderIsIgnored() {
        ClientAddresses direct = new ClientAddresses(List.of());
        assertThat(direct.resolve("203.0.113.9", headers("1.2.3.4"))).isEqualTo("203.0.113.9");
    }

    @Test
    void anUntrustedPeerCannotClaimAnotherAddress() {
        assertThat(behindProxies.resolve("203.0.113.9", headers("1.2.3.4"))).isEqualTo("203.0.113.9");
    }

    @Test
    void behindATrustedProxyTheRightmostUntrustedHopIsTheClient() {
        // the client forged "1.2.3.4"; our proxies appended the real address and then their own
        assertThat(behindProxies.resolve("10.0.0.2", headers("1.2.3.4, 198.51.100.7, 10.0.0.1")))
                .isEqualTo("198.51.100.7");
    }

    @Test
    void severalHeadersFormOneChain() {
        assertThat(behindProxies.resolve("10.0.0.2", headers("1.2.3.4", "198.51.100.7")))
                .isEqualTo("198.51.100.7");
    }

    @Test
    void garbageInTheChainStopsAtTheLastBelievableHop() {
        assertThat(behindProxies.resolve("10.0.0.2", headers("'; DROP TABLE users; --, 10.0.0.9")))
                .isEqualTo("10.0.0.9");
        assertThat(behindProxies.resolve("10.0.0.2", headers("evil.example.com"))).isEqualTo("10.0.0.2");
    }

    @Test
    void ipv6ProxiesAndClientsAreCanonicalised() {
        assertThat(behindProxies.resolve("2001:db8::1", headers("2001:DB8:0:0:0:0:0:1, [2001:db8::5]")))
                .isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(behindProxies.resolve("0:0:0:0:0:0:0:1", null)).isEqualTo("0:0:0:0:0:0:0:1");
    }

    private static java.util.Enumeration<String> headers(String... values) {
        return Collections.enumeration(List.of(values));
    }
}
