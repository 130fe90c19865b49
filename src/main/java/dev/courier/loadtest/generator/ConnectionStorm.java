package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.client.StreamConnection;
import dev.courier.loadtest.client.StreamFrame;
import dev.courier.loadtest.client.VirtualUser;
import dev.courier.loadtest.measure.LatencyTracker;
import dev.courier.loadtest.report.LatencySummary;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * {@code --scenario storm}: a third into the run, {@link LoadOptions.Storm#streams()} more streams of the run's users
 * open at once (or spread over the storm's window), as when every client of a node reconnects after a restart or a
 * failover, while the users' first streams keep sending. Each stream is tried as a polite client does: a refusal
 * ({@code 503}, {@code 429}) again after its {@code Retry-After} and a random share of it more (so that the refused do
 * not all come back in the same instant), any other failure again after a second or so, until it is ready or the run
 * ends. Each stream's time to ready counts from the moment it was due to open, retries included.
 *
 * <p>The storm's streams read what the server sends them (their users' messages) and measure nothing of it: the sends
 * and deliveries the run judges are the first streams'.
 */
final class ConnectionStorm implements StreamConnection.Handler, AutoCloseable {

    /** The objective: every stream of the storm ready this long after the storm began. */
    static final Duration READY_WITHIN = Duration.ofSeconds(5);
    /** How long one attempt may take, from the connect to the {@code ready} frame. */
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
    /** Sockets per client: the JDK's client runs each client's sockets on one selector thread. */
    private static final int STREAMS_PER_CLIENT = 2_500;
    /** Ids of the storm's streams, after those of the first streams and of reconnects. */
    private static final int FIRST_ID = 2_000_000;

    private final LoadOptions.Storm plan;
    private final URI endpoint;
    private final List<VirtualUser> users;
    private final PrintStream out;
    private final List<HttpClient> clients;
    private final Queue<StreamConnection> open = new ConcurrentLinkedQueue<>();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final LatencyTracker toReady = new LatencyTracker();
    private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
    private final LongAdder readyInTime = new LongAdder();
    private final LongAdder ready = new LongAdder();
    private final LongAdder attempts = new LongAdder();
    private final LongAdder closedEarly = new LongAdder();
    private final AtomicLong lastReadyNanos = new AtomicLong();
    private volatile long startNanos;
    private volatile long giveUpNanos;
    private volatile boolean running = true;

    ConnectionStorm(LoadOptions.Storm plan, URI endpoint, List<VirtualUser> users, PrintStream out) {
        this.plan = plan;
        this.endpoint = endpoint;
        this.users = users;
        this.out = out;
        int clientCount = (plan.streams() + STREAMS_PER_CLIENT - 1) / STREAMS_PER_CLIENT;
        this.clients = java.util.stream.IntStream.range(0, clientCount)
                .mapToObj(i -> StreamConnection.newSocketClient(ATTEMPT_TIMEOUT)).toList();
    }

    /** Begins the storm at {@code atNanos} ({@link System#nanoTime()}); its streams give up at {@code giveUpNanos}. */
    void start(long atNanos, long giveUpAtNanos) {
        this.startNanos = atNanos;
        this.giveUpNanos = giveUpAtNanos;
        long windowNanos = plan.window().toNanos();
        threads.add(Thread.ofVirtual().name("loadtest-storm").start(() -> {
            for (int i = 0; i < plan.streams() && running; i++) {
                long due = atNanos + (plan.streams() == 1 ? 0 : windowNanos * i / (plan.streams() - 1));
                if (!sleepUntil(due)) {
                    return;
                }
                int n = i;
                threads.add(Thread.ofVirtual().name("loadtest-storm-" + n).start(() -> openOne(n, due)));
            }
        }));
    }

    private void openOne(int n, long dueNanos) {
        VirtualUser user = users.get(n % users.size());
        HttpClient client = clients.get(n % clients.size());
        try {
            while (running && System.nanoTime() < giveUpNanos) {
                attempts.increment();
                long retryAfterMillis;
                try {
                    StreamConnection c = StreamConnection.openOnce(client, endpoint, FIRST_ID + n, user, this,
                            ATTEMPT_TIMEOUT);
                    long now = System.nanoTime();
                    open.add(c);
                    ready.increment();
                    toReady.record(dueNanos, now);
                    lastReadyNanos.accumulateAndGet(now, Math::max);
                    if (now - startNanos <= READY_WITHIN.toNanos()) {
                        readyInTime.increment();
                    }
                    if (!running) {
                        c.close();
                    }
                    return;
                } catch (StreamConnection.RefusedForNowException refused) {
                    count(String.valueOf(refused.status()));
                    retryAfterMillis = refused.retryAfterMillis();
                } catch (StreamConnection.UnavailableException failed) {
                    count(kindOf(failed));
                    retryAfterMillis = 1_000;
                }
                // the pause the server asked for, and up to as much again: the refused spread out instead of coming
                // back all in one instant
                long pause = retryAfterMillis + ThreadLocalRandom.current().nextLong(retryAfterMillis + 1);
                if (!sleepUntil(System.nanoTime() + pause * 1_000_000)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void count(String kind) {
        refusals.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    private static String kindOf(StreamConnection.UnavailableException failed) {
        Throwable cause = failed.getCause();
        if (cause instanceof WebSocketHandshakeException handshake) {
            return String.valueOf(handshake.getResponse().statusCode());
        }
        if (cause instanceof TimeoutException) {
            return "timeout";
        }
        return "failed: " + (cause == null ? "?" : cause.getClass().getSimpleName());
    }

    /** Sleeps until {@code nanos}; false when the storm was closed meanwhile. */
    private boolean sleepUntil(long nanos) {
        try {
            long left;
            while (running && (left = nanos - System.nanoTime()) > 0) {
                Thread.sleep(Duration.ofNanos(Math.min(left, 100_000_000)));
            }
            return running;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void onFrame(StreamConnection connection, StreamFrame frame, long receivedNanos) {
        // the users' messages, which their first streams measure
    }

    @Override
    public void onClosedEarly(StreamConnection connection, int statusCode, String reason) {
        closedEarly.increment();
    }

    /** Second of the run (from {@code runStartNanos}) in which the storm began. */
    int startSecond(long runStartNanos) {
        return (int) ((startNanos - runStartNanos) / 1_000_000_000L);
    }

    /** Second of the run after the one in which the storm's last stream became ready (or the storm began). */
    int endSecond(long runStartNanos) {
        long last = Math.max(lastReadyNanos.get(), startNanos + plan.window().toNanos());
        return (int) ((last - runStartNanos) / 1_000_000_000L) + 1;
    }

    /**
     * Prints what the storm measured, and the run's send latency ({@code basis}, one histogram of microseconds per
     * second of the run) before it, while its streams opened, and after.
     */
    void report(List<Histogram> basis, String basisName, long runStartNanos) {
        int from = Math.min(basis.size(), startSecond(runStartNanos));
        int to = Math.min(basis.size(), Math.max(from + 1, endSecond(runStartNanos)));
        long lastReady = lastReadyNanos.get();
        out.printf("storm: %d streams over %d users in %d ms: %d ready within %d s, %d within the run, %d never; "
                        + "%d attempts, %d closed early%n", plan.streams(), Math.min(users.size(), plan.streams()),
                plan.window().toMillis(), readyInTime.sum(), READY_WITHIN.toSeconds(), ready.sum(),
                plan.streams() - ready.sum(), attempts.sum(), closedEarly.sum());
        Map<String, Long> byAnswer = new TreeMap<>();
        refusals.forEach((kind, count) -> byAnswer.put(kind, count.sum()));
        out.printf("storm: refused or failed attempts by answer: %s%n", byAnswer.isEmpty() ? "none" : byAnswer);
        LatencySummary perStream = LatencySummary.of(toReady.closeInterval());
        out.printf("storm: time to ready per stream p50 %.1f ms, p99 %.1f ms, max %.1f ms; all ready %s%n",
                perStream.p50(), perStream.p99(), perStream.max(), ready.sum() == plan.streams() && lastReady > 0
                        ? String.format("%.2f s after the storm began", (lastReady - startNanos) / 1e9) : "never");
        out.printf("storm: the first streams' %s p99 before %s, during (s %d-%d) %s, after %s%n", basisName,
                p99(basis, 0, from), from, to - 1, p99(basis, from, to), p99(basis, to, basis.size()));
    }

    private static String p99(List<Histogram> basis, int from, int to) {
        Histogram sum = new Histogram(LatencyTracker.HIGHEST_MICROS, 3);
        for (int s = Math.max(0, from); s < Math.min(to, basis.size()); s++) {
            sum.add(basis.get(s));
        }
        LatencySummary summary = LatencySummary.of(sum);
        return summary.count() == 0 ? "-" : String.format("%.1f ms (%d sends)", summary.p99(), summary.count());
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // closed side by side: each close waits for the server's answer
        try (var closing = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            StreamConnection c;
            while ((c = open.poll()) != null) {
                StreamConnection closed = c;
                closing.submit(closed::close);
            }
        }
        // not close(): it waits for every exchange to end, and a handshake the server never answers may not
        clients.forEach(HttpClient::shutdownNow);
    }
}
