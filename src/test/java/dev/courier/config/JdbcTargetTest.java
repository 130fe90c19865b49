package dev.courier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.testing.TestDatabase;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class JdbcTargetTest {

    @Test
    void aPostgresqlUrlBecomesAJdbcUrlWithTheCredentialsApart() {
        JdbcTarget target = JdbcTarget.parse("postgresql://courier:s%40cret@db.example:6432/chat?sslmode=require");
        assertThat(target.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6432/chat?sslmode=require");
        assertThat(target.user()).isEqualTo("courier");
        assertThat(target.password()).isEqualTo("s@cret");
        assertThat(JdbcTarget.parse("postgres://db.example").jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5432/postgres");
    }

    @Test
    void severalHostsStayInTheUrlAndLibpqsTargetSessionAttrsBecomesPgjdbcsTargetServerType() {
        JdbcTarget target = JdbcTarget.parse(
                "postgresql://courier@10.0.0.1:5433,10.0.0.2,[::1]:5434/chat?target_session_attrs=read-write&connectTimeout=2");
        assertThat(target.jdbcUrl()).isEqualTo(
                "jdbc:postgresql://10.0.0.1:5433,10.0.0.2:5432,[::1]:5434/chat?targetServerType=primary&connectTimeout=2");
        assertThat(target.user()).isEqualTo("courier");
        assertThat(JdbcTarget.parse("postgresql://a,b/chat?targetServerType=primary").jdbcUrl())
                .isEqualTo("jdbc:postgresql://a:5432,b:5432/chat?targetServerType=primary");
    }

    @Test
    void aUrlWithoutAHostOrWithAnUnknownSessionAttributeIsRefused() {
        assertThatThrownBy(() -> JdbcTarget.parse("postgresql:///chat")).hasMessageContaining("has no host");
        assertThatThrownBy(() -> JdbcTarget.parse("postgresql://a,,b/chat")).hasMessageContaining("has no host");
        assertThatThrownBy(() -> JdbcTarget.parse("postgresql://a:x/chat")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> JdbcTarget.parse("postgresql://a/chat?target_session_attrs=leader"))
                .hasMessageContaining("target_session_attrs=leader");
    }

    /**
     * What a multi-host URL is for: the first host is gone (a primary that died), and the connection is made to the
     * next one that is a primary.
     */
    @Test
    void aMultiHostUrlConnectsToThePrimaryPastAHostThatIsGone() throws Exception {
        int gone;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            gone = s.getLocalPort();
        }
        JdbcTarget target = JdbcTarget.parse("postgresql://postgres@127.0.0.1:" + gone + ",127.0.0.1:"
                + TestDatabase.port() + "/postgres?target_session_attrs=read-write");
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT pg_is_in_recovery()")) {
            r.next();
            assertThat(r.getBoolean(1)).as("connected to a primary").isFalse();
        }
    }
}
