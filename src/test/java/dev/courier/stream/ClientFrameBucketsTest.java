package dev.courier.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.messages.MessageRoutes;
import dev.courier.ratelimit.Limit;
import dev.courier.web.RoutePolicy;
import dev.courier.web.Routes;
import io.javalin.Javalin;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A frame on the stream spends the same bucket as the REST route that does the same work. */
class ClientFrameBucketsTest {

    @Test
    void aSendFrameSpendsTheBucketOfTheSendRoute() {
        assertThat(new ClientFrame.Send(1, UUID.randomUUID(), "hi", null, java.util.List.of()).spends())
                .isEqualTo(restBucket("POST", "/v1/conversations/{id}/messages"))
                .contains(Limit.MESSAGES);
    }

    @Test
    void aReadFrameSpendsTheBucketOfTheReadMarkerRoute() {
        assertThat(new ClientFrame.Read(1, 1).spends())
                .isEqualTo(restBucket("POST", "/v1/conversations/{id}/read"))
                .contains(Limit.WRITES);
    }

    @Test
    void aTypingFrameSpendsNothingSinceEachConnectionDropsTheExcessItself() {
        assertThat(new ClientFrame.Typing(1).spends()).isEmpty();
    }

    @Test
    void aPingSpendsNothing() {
        assertThat(new ClientFrame.Ping().spends()).isEmpty();
    }

    /** The bucket the message routes declare for {@code method path}; the routes are only declared, not served. */
    private static Optional<Limit> restBucket(String method, String path) {
        AtomicReference<Routes> declared = new AtomicReference<>();
        Javalin.create(config -> {
            declared.set(new Routes(config.routes));
            new MessageRoutes(null, null).register(declared.get());
        });
        return declared.get().declared().stream()
                .filter(route -> route.method().equals(method) && route.path().equals(path))
                .map(Routes.Declared::policy).map(RoutePolicy::limit)
                .findFirst().orElseThrow(() -> new AssertionError(method + " " + path + " is not declared"));
    }
}
