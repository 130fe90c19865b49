package dev.courier.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.generator.LoadRun;
import dev.courier.loadtest.judge.LoadJudge;
import dev.courier.loadtest.report.LoadReport;
import dev.courier.testing.FailoverProxy;
import dev.courier.testing.NodeProcess;
import dev.courier.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The load tester behind a balancer, while the node its streams are on stops (SIGTERM) or dies (SIGKILL): its streams
 * come back on the other node, nothing it sent is counted as an error, and every acknowledged message still reaches
 * every member's stream exactly once, in order, with the catch-up filling the gap.
 */
class NodeGoingAwayTest {

    private static final Pattern RESUMED = Pattern.compile("going away: (\\d+), broken: (\\d+)\\), not resumed: (\\d+)");

    @Test
    void streamsClosedWith1001ResumeOnAnotherNodeAndLoseNothing() throws Exception {
        LoadReport report = runWhileTheFirstNodeStops(false);
        Matcher resumed = resumedLine();
        assertThat(Long.parseLong(resumed.group(1))).as("streams resumed after 1001").isPositive();
        assertThat(Long.parseLong(resumed.group(3))).as("streams not resumed").isZero();
        // No send is lost to the drain: none failed for a closed stream or went unanswered. On a host this busy the
        // new node may still shed part of the burst of sends sent again with "overloaded", which is its load
        // shedding, not the drain; those are refusals the client was told to retry.
        assertThat(report.errors().keySet()).as(progress).allMatch(kind -> kind.endsWith("overloaded"));
        assertThat(report.acked() + report.errors().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(report.attempted());
    }

    @Test
    void streamsOfANodeKilledMidRunResumeAndNoAcknowledgedMessageIsLost() throws Exception {
        runWhileTheFirstNodeStops(true);
        Matcher resumed = resumedLine();
        assertThat(Long.parseLong(resumed.group(2))).as("broken streams resumed").isPositive();
        assertThat(Long.parseLong(resumed.group(3))).as("streams not resumed").isZero();
    }

    /**
     * A node frozen with SIGSTOP closes no socket: its streams hear nothing. With {@code --stream-liveness} the load
     * tester notices as a client should (a ping unanswered), resumes each stream on the other node and sends its
     * unanswered sends again there, so no send waits out its 10 s timeout. After SIGCONT the frozen node reads the
     * sends it had been given and stores them too: the clientMsgId makes them the same messages, so nothing arrives
     * twice, and it can deliver nothing stale on sockets the client has given up.
     */
    @Test
    void streamsOfAFrozenNodeAreGivenUpWhenSilentAndResumeElsewhereWithNothingStaleAfterItWakes() throws Exception {
        String database = TestDatabase.freshDatabase().jdbcUrl();
        try (NodeProcess first = NodeProcess.start(database, "--rate-limits", "off");
             NodeProcess second = NodeProcess.start(database, "--rate-limits", "off");
             FailoverProxy balancer = new FailoverProxy(List.of(port(first), port(second)))) {
            LoadOptions options = new LoadOptions(URI.create(balancer.baseUrl()), false, Scenario.STEADY,
                    Transport.SOCKET, 20, Duration.ofSeconds(20), 10_000, 6, 0.5, 3, LoadOptions.BusyGroup.NONE,
                    LoadOptions.ChangeMix.NONE, Duration.ofSeconds(5), 0.0, Duration.ofSeconds(15), 1.5, 0.2,
                    Optional.empty(), Duration.ofSeconds(10), Optional.empty(), Optional.empty())
                    .withStreamLiveness(Duration.ofSeconds(3));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread freezer = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 1_200 && !out.toString(StandardCharsets.UTF_8).contains("t=  3s"); i++) {
                        Thread.sleep(100);
                    }
                    first.signal("STOP");
                    balancer.takeOut(port(first));
                    try {
                        // longer than a send's 10 s timeout: a client that waited it out would count failures
                        Thread.sleep(12_000);
                    } finally {
                        first.signal("CONT");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            LoadJudge judge = new LoadJudge(options);
            LoadReport report = judge.report(new LoadRun(options, new PrintStream(out, true, StandardCharsets.UTF_8),
                    judge).run());
            freezer.join();
            progress = out.toString(StandardCharsets.UTF_8) + "\nerrors: " + report.errors();
            Matcher resumed = resumedLine();
            assertThat(Long.parseLong(resumed.group(2))).as("silent streams resumed as broken").isPositive();
            assertThat(Long.parseLong(resumed.group(3))).as("streams not resumed").isZero();
            assertThat(progress).containsPattern("streams given up as silent \\(counted as broken\\): [1-9]");
            assertThat(report.errors()).as(progress).doesNotContainKey("timeout");
            assertThat(report.integrity().acked()).isEqualTo(report.acked()).isPositive();
            assertThat(report.integrity().lost()).as(progress).isZero();
            assertThat(report.integrity().duplicated()).as(progress).isZero();
            assertThat(report.integrity().outOfOrder()).as(progress).isZero();
            assertThat(report.integrity().historyGaps()).as(progress).isZero();
            assertThat(report.integrity().connectionsClosedEarly()).as("every stream resumed").isZero();
        }
    }

    private String progress;

    private LoadReport runWhileTheFirstNodeStops(boolean kill) throws Exception {
        String database = TestDatabase.freshDatabase().jdbcUrl();
        try (NodeProcess first = NodeProcess.start(database, "--rate-limits", "off", "--drain-timeout", "10s");
             NodeProcess second = NodeProcess.start(database, "--rate-limits", "off");
             FailoverProxy balancer = new FailoverProxy(List.of(port(first), port(second)))) {
            LoadOptions options = new LoadOptions(URI.create(balancer.baseUrl()), false, Scenario.STEADY,
                    Transport.SOCKET, 20, Duration.ofSeconds(10), 10_000, 6, 0.5, 3, LoadOptions.BusyGroup.NONE,
                    LoadOptions.ChangeMix.NONE, Duration.ofSeconds(5), 0.0, Duration.ofSeconds(15), 1.5, 0.2,
                    Optional.empty(), Duration.ofSeconds(5), Optional.empty(), Optional.empty());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            // three seconds into the load (the users' registration before it takes long on a busy machine)
            Thread stopper = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 1_200 && !out.toString(StandardCharsets.UTF_8).contains("t=  3s"); i++) {
                        Thread.sleep(100);
                    }
                    if (kill) {
                        first.kill9();
                    } else {
                        first.terminate();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            LoadJudge judge = new LoadJudge(options);
            LoadReport report = judge.report(new LoadRun(options, new PrintStream(out, true, StandardCharsets.UTF_8),
                    judge).run());
            stopper.join();
            progress = out.toString(StandardCharsets.UTF_8) + "\nerrors: " + report.errors();
            assertThat(report.integrity().deliveryChecked()).isTrue();
            assertThat(report.integrity().acked()).isEqualTo(report.acked()).isPositive();
            assertThat(report.integrity().lost()).as(progress).isZero();
            assertThat(report.integrity().duplicated()).as(progress).isZero();
            assertThat(report.integrity().outOfOrder()).as(progress).isZero();
            assertThat(report.integrity().historyGaps()).isZero();
            assertThat(report.integrity().connectionsClosedEarly()).as("every stream resumed").isZero();
            return report;
        }
    }

    private Matcher resumedLine() {
        Matcher m = RESUMED.matcher(progress);
        assertThat(m.find()).as(progress).isTrue();
        return m;
    }

    private static int port(NodeProcess node) {
        return URI.create(node.baseUrl()).getPort();
    }
}
