package dev.courier.loadtest;

import dev.courier.loadtest.StreamFrame.DeliveredMessage;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One load run against a Courier server: virtual users with stream sockets, sends at the planned arrival
 * rate (open model), a progress line every second, faults switched on schedule, then integrity checks and a
 * {@link LoadReport}.
 */
public final class LoadRun implements StreamConnection.Handler {

    /** Sends in flight at once; beyond it the pacer waits, and the wait shows up as latency (intended time). */
    static final int MAX_IN_FLIGHT = 4096;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** A delivery not seen this long after its ack counts towards the progress line's running "lost". */
    static final Duration DELIVERY_GRACE = Duration.ofSeconds(5);

    private final LoadOptions o;
    private final PrintStream out;
    private final CourierClient client;
    private final IntegrityLedger ledger = new IntegrityLedger();
    private final LatencyTracker ackLatency = new LatencyTracker();
    private final LatencyTracker deliveredLatency = new LatencyTracker();
    private final ErrorTally errors = new ErrorTally();
    private final RefusalTracker refusals = new RefusalTracker();
    private final GeneratorLoad generator = new GeneratorLoad();
    private final ClientMsgIds clientMsgIds = ClientMsgIds.startingNow();
    private final PendingAcks socketAcks = new PendingAcks();
    private final Map<Long, StreamConnection> streamsByUser = new ConcurrentHashMap<>();
    private final LongAdder sentThisSecond = new LongAdder();
    private final LongAdder ackedThisSecond = new LongAdder();
    private final LongAdder failedThisSecond = new LongAdder();
    private final AtomicLong attempted = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong nextConversation = new AtomicLong();
    private final AtomicReference<PoolSample> lastPool = new AtomicReference<>();
    private final List<Interval> timeline = new CopyOnWriteArrayList<>();
    private final List<Histogram> ackPerSecond = new CopyOnWriteArrayList<>();
    private final List<Histogram> deliveredPerSecond = new CopyOnWriteArrayList<>();
    private final List<LoadReport.AppliedFault> appliedFaults = new CopyOnWriteArrayList<>();
    /** Faults are switched one at a time, off the ticker: stopping a database can take seconds. */
    private final ExecutorService faultSwitch = Executors.newSingleThreadExecutor(Thread.ofVirtual().factory());
    private final RateProfile profile;
    private HttpClient sockets;
    private LoadPopulation population;
    /** Null when the run has no busy group. */
    private BusyGroupFigures busyGroupFigures;
    private String streamUnavailable;
    private OutcomeBuckets outcomes;
    private volatile long startNanos;
    private volatile boolean stopRequested;
    private long runningLost;
    private int nextFault;

    public LoadRun(LoadOptions options, PrintStream out) {
        this.o = options;
        this.out = out;
        this.client = new CourierClient(options.url(), REQUEST_TIMEOUT);
        this.profile = options.scenario().profile(options);
    }

    /** Runs the whole scenario and returns its report; the caller writes it and exits with its exit code. */
    public LoadReport run() throws InterruptedException {
        Instant startedAt = Instant.now();
        try {
            prepare();
            startNanos = System.nanoTime();
            outcomes = new OutcomeBuckets(startNanos, (int) o.duration().toSeconds() + 1);
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "loadtest-ticker");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
            try {
                pace();
            } finally {
                ticker.shutdown();
                ticker.awaitTermination(5, TimeUnit.SECONDS);
                applyRemainingFaults();
            }
            double activeSeconds = (System.nanoTime() - startNanos) / 1e9;
            tick();
            drainDeliveries();
            return new LoadJudge(o, this).report(startedAt, activeSeconds, integrity());
        } finally {
            faultSwitch.shutdownNow();
            streamsByUser.values().forEach(StreamConnection::close);
            if (sockets != null) {
                sockets.shutdownNow();
            }
        }
    }

    private void prepare() throws InterruptedException {
        out.printf("loadtest: %s against %s: registering %d virtual users%n", o.scenario().cliName(), o.url(), o.users());
        population = LoadPopulation.create(client, o);
        if (population.busyGroup != null) {
            busyGroupFigures = new BusyGroupFigures(o.busyGroup(), population.busyGroup.id());
        }
        openStreams();
        population.membersByConversation().forEach(ledger::conversation);
        if (o.transport() == Transport.SOCKET && streamUnavailable != null) {
            throw new LoadSetupException("--transport socket needs the stream: " + streamUnavailable);
        }
        out.printf("loadtest: %d users (prefix lt%s-), %d conversations, stream %s%n", population.users.size(),
                population.runId, population.conversations.size(),
                streamUnavailable == null ? "connected" : "NOT AVAILABLE (" + streamUnavailable + ")");
        if (o.scenario().needsFaultInjection()) {
            checkFaultInjection();
        }
    }

    private void openStreams() throws InterruptedException {
        List<VirtualUser> users = population.users;
        sockets = StreamConnection.newSocketClient(Duration.ofSeconds(5));
        try {
            StreamConnection first = StreamConnection.open(sockets, o.url(), 0, users.getFirst(), this,
                    Duration.ofSeconds(5));
            register(first);
        } catch (StreamConnection.UnavailableException e) {
            streamUnavailable = e.getMessage();
            return;
        }
        LoadPopulation.inParallel(users.size() - 1, i -> {
            try {
                StreamConnection c = StreamConnection.open(sockets, o.url(), i + 1, users.get(i + 1), this,
                        Duration.ofSeconds(10));
                register(c);
                return c;
            } catch (StreamConnection.UnavailableException e) {
                throw new LoadSetupException("stream of user " + (i + 1) + ": " + e.getMessage());
            }
        });
    }

    private void register(StreamConnection c) {
        ledger.connectionOpened(c.id(), c.user().id());
        streamsByUser.put(c.user().id(), c);
    }

    private void checkFaultInjection() throws InterruptedException {
        try {
            ApiResponse r = client.get("/v1/admin/faults", o.adminToken().orElseThrow());
            if (r.status() != 200) {
                throw new LoadSetupException("GET /v1/admin/faults answered " + r.status() + " " + r.errorKind()
                        + ": the server needs serve --enable-fault-injection --admin-token T, and --admin-token here");
            }
        } catch (IOException e) {
            throw new LoadSetupException("GET /v1/admin/faults failed: " + e);
        }
    }

    /**
     * The open-model loop: each send starts at its intended time, whether or not earlier ones have finished.
     * A socket send is handed to its connection right here and finishes when its ack (or error) frame arrives,
     * so it costs no thread; a REST call blocks, so each gets a virtual thread.
     */
    private void pace() throws InterruptedException {
        ArrivalSchedule schedule = new ArrivalSchedule(profile, startNanos, o.duration(), o.maxMessages());
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        PacerWakeups wakeups = new PacerWakeups();
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            while (schedule.hasNext() && !stopRequested) {
                long intended = schedule.next();
                long now = System.nanoTime();
                long wake = wakeups.wakeFor(intended, now);
                if (wake > now) {
                    sleepUntil(wake);
                    now = System.nanoTime();
                    wakeups.wokeAt(now);
                }
                generator.handedOff(intended, now);
                if (!inFlight.tryAcquire()) {
                    generator.heldByInFlightCap();
                    inFlight.acquire();
                }
                OutgoingMessage message = nextMessage(intended, System.nanoTime(), attempted.getAndIncrement());
                sentThisSecond.increment();
                if (o.transport() == Transport.SOCKET) {
                    sendOverSocket(message).whenComplete((m, failure) -> {
                        // Nothing else would see an exception here, and a lost permit would stall the pacer.
                        try {
                            recordOutcome(message, intended, m, failure);
                        } finally {
                            inFlight.release();
                        }
                    });
                } else {
                    senders.execute(() -> {
                        try {
                            recordOutcome(message, intended, sendOverRest(message), null);
                        } catch (SendFailure f) {
                            recordOutcome(message, intended, null, f);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            inFlight.release();
                        }
                    });
                }
            }
        }
        // Socket sends still waiting end with their ack, an error frame or the ticker's timeout sweep.
        inFlight.acquire(MAX_IN_FLIGHT);
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long wait = nanoTime - System.nanoTime(); wait > 0; wait = nanoTime - System.nanoTime()) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /**
     * Send number {@code n}: the busy group's share of the sends to it, the others to the other conversations in
     * turn, each from a random member.
     */
    private OutgoingMessage nextMessage(long intended, long sent, long n) {
        List<LoadConversation> conversations = population.others;
        LoadConversation c = busyGroupFigures != null && busyGroupFigures.goesToBusyGroup(n) ? population.busyGroup
                : conversations.get((int) (nextConversation.getAndIncrement() % conversations.size()));
        VirtualUser sender = c.members().get(ThreadLocalRandom.current().nextInt(c.members().size()));
        String clientMsgId = clientMsgIds.of(intended, sent);
        // bodies differ per send
        String body = "load " + population.runId + " " + clientMsgId.substring(clientMsgId.length() - 8);
        return new OutgoingMessage(c.id(), sender, clientMsgId, body, sent);
    }

    /** @param sentNanos when the pacer sent it, as its clientMsgId carries (to 50 µs) */
    private record OutgoingMessage(long conversationId, VirtualUser sender, String clientMsgId, String body,
                                   long sentNanos) {
    }

    /**
     * Counts one send: acknowledged as {@code m}, or failed with {@code failure}. A failed send is never sent again:
     * a refusal retried until it passed would show as a slow success, and the refusals as nothing.
     */
    private void recordOutcome(OutgoingMessage message, long intended, DeliveredMessage m, Throwable failure) {
        if (busyGroupFigures != null) {
            busyGroupFigures.outcome(message.conversationId(), failure == null);
        }
        long now = System.nanoTime();
        if (failure == null) {
            ackLatency.record(intended, now);
            generator.acked(message.sentNanos(), now);
            ledger.acked(m.conversationId(), m.seq(), m.id(), now);
            acked.incrementAndGet();
            ackedThisSecond.increment();
            outcomes.record(intended, true);
        } else {
            if (failure instanceof SendFailure f && f.refusal()) {
                refusals.refused(intended, message.sentNanos(), now, f.retryAfterGiven());
            }
            errors.count(failure instanceof SendFailure f ? f.getMessage() : "stream error");
            failedThisSecond.increment();
            outcomes.record(intended, false);
        }
    }

    /** Sends one message with {@code POST}; blocks for the answer. */
    private DeliveredMessage sendOverRest(OutgoingMessage message) throws SendFailure, InterruptedException {
        try {
            ApiResponse r = client.post("/v1/conversations/" + message.conversationId() + "/messages",
                    message.sender().token(), Map.of("clientMsgId", message.clientMsgId(), "body", message.body()));
            if (r.status() != 201 && r.status() != 200) {
                throw SendFailure.ofAnswer(r);
            }
            return DeliveredMessage.of(r.json());
        } catch (HttpTimeoutException e) {
            throw new SendFailure("timeout");
        } catch (ConnectException e) {
            throw new SendFailure("connection refused");
        } catch (IOException e) {
            throw new SendFailure("transport error");
        }
    }

    /**
     * Hands one message to its sender's socket without waiting. The future completes with the message of its
     * {@code ack} frame, or fails with its {@code error} frame, a broken socket or, swept once a second by the
     * ticker, {@link #REQUEST_TIMEOUT}.
     */
    private CompletableFuture<DeliveredMessage> sendOverSocket(OutgoingMessage message) {
        StreamConnection stream = streamsByUser.get(message.sender().id());
        if (stream == null) {
            return CompletableFuture.failedFuture(new SendFailure("stream closed"));
        }
        CompletableFuture<DeliveredMessage> ack = socketAcks.expect(message.clientMsgId(), System.nanoTime());
        stream.send(new SendFrame(message.conversationId(), message.clientMsgId(), message.body()))
                .whenComplete((sent, failure) -> {
                    if (failure != null) {
                        socketAcks.failed(message.clientMsgId(), new SendFailure("stream closed"));
                    }
                });
        return ack;
    }

    @Override
    public void onFrame(StreamConnection connection, StreamFrame frame, long receivedNanos) {
        switch (frame) {
            case StreamFrame.Message(DeliveredMessage m) -> {
                ledger.delivered(connection.id(), m.conversationId(), m.seq());
                if (m.senderId() != connection.user().id()) {
                    Optional<ClientMsgIds.Times> times = clientMsgIds.timesOf(m.clientMsgId());
                    if (times.isPresent()) {
                        long intended = times.get().intendedNanos();
                        deliveredLatency.record(intended, receivedNanos);
                        generator.delivered(times.get().sentNanos(), receivedNanos);
                        if (busyGroupFigures != null) {
                            busyGroupFigures.delivered(m.conversationId(), intended, receivedNanos);
                        }
                    }
                }
            }
            case StreamFrame.Ack(String clientMsgId, DeliveredMessage m) -> socketAcks.acked(clientMsgId, m);
            case StreamFrame.Error error -> {
                if (error.clientMsgId() != null) {
                    socketAcks.failed(error.clientMsgId(), SendFailure.ofErrorFrame(error));
                }
            }
            case StreamFrame.Ready r -> { }
            case StreamFrame.Other other -> { }
        }
    }

    @Override
    public void onClosedEarly(StreamConnection connection, int statusCode, String reason) {
        ledger.connectionClosedEarly(connection.id());
        streamsByUser.remove(connection.user().id(), connection);
        out.printf("loadtest: stream of %s closed by the server: %d %s%n", connection.user().username(), statusCode,
                reason);
    }

    /** Once a second: close the interval, sample the pool, switch due faults, print the progress line. */
    private void tick() {
        long now = System.nanoTime();
        long t = Math.round((now - startNanos) / 1e9);
        Histogram ack = ackLatency.closeInterval();
        Histogram delivered = deliveredLatency.closeInterval();
        LatencySummary refused = LatencySummary.of(refusals.closeInterval());
        ackPerSecond.add(ack);
        deliveredPerSecond.add(delivered);
        Duration intervalStart = Duration.ofNanos(Math.max(0, now - startNanos - 1_000_000_000L));
        double target = stopRequested || intervalStart.compareTo(o.duration()) >= 0 ? 0
                : profile.ratePerSecond(intervalStart);
        Interval interval = new Interval(t, target, sentThisSecond.sumThenReset(), ackedThisSecond.sumThenReset(),
                failedThisSecond.sumThenReset(), LatencySummary.of(ack), LatencySummary.of(delivered), refused,
                lastPool.get(), generator.closeInterval());
        timeline.add(interval);
        Thread.ofVirtual().start(this::samplePool);
        applyDueFaults(Duration.ofNanos(now - startNanos));
        socketAcks.expire(now - REQUEST_TIMEOUT.toNanos());
        if (streamUnavailable == null) {
            runningLost += ledger.newlyOverdue(now - DELIVERY_GRACE.toNanos());
        }
        out.printf("t=%3ds target=%7.1f/s sent=%6d acked=%6d errors=%4d p99(ack)=%8.2fms p99(delivered)=%s lost=%s"
                + "%s%s%s%n",
                t, target, interval.sent(), interval.acked(), errors.total(), interval.sendToAck().p99(),
                streamUnavailable == null ? String.format("%8.2fms", interval.sendToDelivered().p99()) : "     n/a",
                streamUnavailable == null ? String.valueOf(runningLost) : "n/a",
                refused.count() == 0 ? "" : String.format(" refused=%d p99(refused)=%.2fms", refused.count(),
                        refused.p99()),
                interval.pool() == null || interval.pool().active() < 0 ? ""
                        : String.format(" pool=%.0f/%.0f pending=%.0f", interval.pool().active(), interval.pool().max(),
                        interval.pool().pending()),
                generatorLine(interval.generator()));
        if (o.scenario() == Scenario.RAMP) {
            stopRequested |= LoadJudge.rampShouldStop(o, this);
        }
    }

    /** Shown only when worth a look, so that a progress line stays readable. */
    private String generatorLine(GeneratorLoad.GeneratorSample g) {
        boolean late = g.lateP99Ms() > GeneratorLoad.lateLimitMs(o.sloP99Millis());
        boolean busy = g.host() >= 0.9;
        boolean noisyHost = g.stolen() >= GeneratorLoad.NOISY_HOST_STOLEN;
        if (!late && !busy && !noisyHost) {
            return "";
        }
        return String.format(" generator: late p99=%.2fms cpu=%.2f host=%s%s%s", g.lateP99Ms(), g.cores(),
                g.host() < 0 ? "n/a" : String.format("%.0f%%", g.host() * 100),
                noisyHost ? String.format(" stolen=%.0f%%", g.stolen() * 100) : "", late ? " BEHIND" : "");
    }

    private void samplePool() {
        try {
            ApiResponse r = client.get(PoolSample.METRICS_PATH, null);
            if (r.status() == 200) {
                lastPool.set(PoolSample.parse(r.body()));
            }
        } catch (IOException e) {
            lastPool.set(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void applyDueFaults(Duration elapsed) {
        List<Scenario.FaultChange> plan = o.scenario().faults(o);
        while (nextFault < plan.size() && plan.get(nextFault).at().compareTo(elapsed) <= 0) {
            Scenario.FaultChange change = plan.get(nextFault++);
            faultSwitch.execute(() -> applyFault(change));
        }
    }

    /** Leaves the server as it was found, even when the run ended early. Called once the ticker has stopped. */
    private void applyRemainingFaults() throws InterruptedException {
        faultSwitch.shutdown();
        faultSwitch.awaitTermination(REQUEST_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
        List<Scenario.FaultChange> plan = o.scenario().faults(o);
        while (nextFault < plan.size()) {
            applyFault(plan.get(nextFault++));
        }
    }

    private void applyFault(Scenario.FaultChange change) {
        double at = (System.nanoTime() - startNanos) / 1e9;
        try {
            ApiResponse r = client.put("/v1/admin/faults", o.adminToken().orElseThrow(), change.faults());
            appliedFaults.add(new LoadReport.AppliedFault(at, change.faults(), r.status(), r.body()));
            out.printf("loadtest: t=%.1fs PUT /v1/admin/faults %s -> %d%n", at, change.faults(), r.status());
        } catch (IOException e) {
            appliedFaults.add(new LoadReport.AppliedFault(at, change.faults(), -1, e.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits (at most {@code --drain}) for deliveries of acknowledged messages that are still on their way. */
    private void drainDeliveries() throws InterruptedException {
        if (streamUnavailable != null) {
            return;
        }
        long deadline = System.nanoTime() + o.drain().toNanos();
        while (System.nanoTime() < deadline && ledger.missingDeliveries(0, Long.MAX_VALUE) > 0) {
            Thread.sleep(250);
        }
    }

    private IntegrityReport integrity() throws InterruptedException {
        long lost = 0;
        long duplicated = ledger.duplicated();
        long outOfOrder = ledger.outOfOrder();
        long gaps = 0;
        if (streamUnavailable == null) {
            lost += ledger.missingDeliveries(0, Long.MAX_VALUE);
        }
        for (LoadConversation c : population.conversations) {
            try {
                IntegrityLedger.HistoryCheck h = ledger.checkHistory(c.id(),
                        client.history(c.id(), c.members().getFirst().token()));
                lost += h.lost();
                duplicated += h.duplicated();
                outOfOrder += h.outOfOrder();
                gaps += h.gaps();
            } catch (IOException e) {
                throw new LoadSetupException("reading the history of conversation " + c.id() + " failed: " + e);
            }
        }
        return new IntegrityReport(ledger.ackedCount(), lost, duplicated, outOfOrder, gaps, streamUnavailable == null,
                ledger.connectionsClosedEarly());
    }

    LoadOptions options() {
        return o;
    }

    long attempted() {
        return attempted.get();
    }

    long acked() {
        return acked.get();
    }

    ErrorTally errors() {
        return errors;
    }

    RefusalTracker refusals() {
        return refusals;
    }

    Histogram ackTotal() {
        return ackLatency.total();
    }

    Histogram deliveredTotal() {
        return deliveredLatency.total();
    }

    List<Interval> timeline() {
        return List.copyOf(timeline);
    }

    List<Histogram> ackPerSecond() {
        return List.copyOf(ackPerSecond);
    }

    List<Histogram> deliveredPerSecond() {
        return List.copyOf(deliveredPerSecond);
    }

    List<LoadReport.AppliedFault> appliedFaults() {
        return List.copyOf(appliedFaults);
    }

    GeneratorLoad generator() {
        return generator;
    }

    OutcomeBuckets outcomes() {
        return outcomes;
    }

    /** Null when the run has no busy group. */
    BusyGroupFigures busyGroupFigures() {
        return busyGroupFigures;
    }

    LoadPopulation population() {
        return population;
    }

    String streamUnavailable() {
        return streamUnavailable;
    }

    long startNanos() {
        return startNanos;
    }
}
