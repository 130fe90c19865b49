package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.testing.TestServer;
import java.util.Arrays;
import java.util.Map;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;

/**
 * Jetty's selector loop runs on a platform thread, and what may block (a request, a stream frame) on virtual threads:
 * a selector loop on a virtual thread parks at every select and costs a hop through the JDK's poller thread.
 */
class JettyThreadsTest {

    @Test
    void selectorLoopRunsOnAPlatformThreadAndBlockingWorkOnVirtualThreads() {
        try (TestServer server = TestServer.start()) {
            assertThat(server.server().jetty().getThreadPool()).isInstanceOfSatisfying(QueuedThreadPool.class,
                    threads -> assertThat(threads.getVirtualThreadsExecutor()).isNotNull());
            // getAllStackTraces lists platform threads only: a selector loop on a virtual thread would not appear
            Map<Thread, StackTraceElement[]> platform = Thread.getAllStackTraces();
            assertThat(platform.entrySet())
                    .filteredOn(e -> e.getKey().getName().startsWith("courier-http"))
                    .anySatisfy(e -> assertThat(Arrays.stream(e.getValue()).map(StackTraceElement::getClassName))
                            .anyMatch(name -> name.contains("ManagedSelector")));
        }
    }
}
