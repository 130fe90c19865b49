package dev.courier.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A session's last use is written at most once a minute however often it is used, and in the background. */
@ExtendWith(TestServerExtension.class)
class SessionActivityTest {

    @SharedServer
    private static TestServer server;

    private static long secondsSinceUse(TestUser user) {
        return server.queryLong("SELECT extract(epoch FROM now() - last_used_at)::bigint FROM sessions "
                + "WHERE token_hash = sha256('" + user.token() + "'::bytea)");
    }

    @Test
    void manyUsesWithinAMinuteAreOneWriteAndNoneIsWrittenOnTheRequestPath() {
        TestUser user = server.client().newUser("active");
        SessionActivity activity = new SessionActivity(server.server().database(), new SessionStore());
        try {
            byte[] hash = SessionTokens.hash(user.token());
            server.execute("UPDATE sessions SET last_used_at = now() - interval '1 hour' WHERE user_id = " + user.id());

            for (int i = 0; i < 100; i++) {
                activity.used(hash);
            }
            assertThat(secondsSinceUse(user)).as("nothing written by the uses themselves").isGreaterThan(3000);
            activity.flush();
            assertThat(secondsSinceUse(user)).isLessThan(60);

            server.execute("UPDATE sessions SET last_used_at = now() - interval '1 hour' WHERE user_id = " + user.id());
            for (int i = 0; i < 100; i++) {
                activity.used(hash);
            }
            activity.flush();
            assertThat(secondsSinceUse(user)).as("noted once already within the minute").isGreaterThan(3000);
        } finally {
            activity.close();
        }
    }
}
