package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.LoadSetupException;
import dev.courier.loadtest.Scenario;
import dev.courier.loadtest.Transport;
import dev.courier.loadtest.client.StreamConnection;
import dev.courier.loadtest.client.CourierClient;
import dev.courier.loadtest.integrity.IntegrityLedger;
import dev.courier.loadtest.measure.BusyGroupFigures;
import dev.courier.loadtest.measure.GeneratorLoad;
import dev.courier.loadtest.measure.OutcomeBuckets;
import dev.courier.loadtest.report.IntegrityReport;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One load run against a Courier server: virtual users with stream sockets, sends (and, in a run with a change mix,
 * edits and reactions by the {@link ChangeMaker}) at the planned arrival rate (open model) by the {@link Pacer},
 * typing and reconnects beside them ({@link TypingAndReconnects}), the {@link Ticker}'s progress line every second
 * and faults switched on schedule, then the {@link IntegrityCheck}. Returns what it measured as a
 * {@link LoadRunResult}; judging it is not its job.
 */
public final class LoadRun {

    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final LoadOptions o;
    private final PrintStream out;
    private final StopRule stopRule;
    private final CourierClient client;
    private final IntegrityLedger ledger = new IntegrityLedger();
    private final RunFigures figures = new RunFigures(new GeneratorLoad());
    private final ClientMsgIds clientMsgIds = ClientMsgIds.startingNow();
    private final PendingAcks socketAcks = new PendingAcks();
    private final ChatterCounts chatter = new ChatterCounts();

    /** @param stopRule asked after every second whether the run may end before its schedule does */
    public LoadRun(LoadOptions options, PrintStream out, StopRule stopRule) {
        this.o = options;
        this.out = out;
        this.stopRule = stopRule;
        this.client = new CourierClient(options.url(), REQUEST_TIMEOUT);
    }

    /** Sets up the virtual users, runs the scenario and checks integrity; once only. */
    public LoadRunResult run() throws InterruptedException {
        Instant startedAt = Instant.now();
        out.printf("loadtest: %s against %s: registering %d virtual users%n", o.scenario().cliName(), o.url(), o.users());
        LoadPopulation population = LoadPopulation.create(client, o);
        BusyGroupFigures busyGroup = population.busyGroup == null ? null
                : new BusyGroupFigures(o.busyGroup(), population.busyGroup.id());
        try (UserStreams streams = new UserStreams(ledger,
                new FrameIntake(ledger, clientMsgIds, figures, busyGroup, socketAcks, chatter, o.echo()), out, client,
                population.conversationsByUser(), o.streamLiveness())) {
            streams.open(StreamConnection.endpoint(o.url(), o.echo()), population.users);
            population.membersByConversation().forEach(ledger::conversation);
            if (o.transport() == Transport.SOCKET && !streams.connected()) {
                throw new LoadSetupException("--transport socket needs the stream: " + streams.unavailable());
            }
            out.printf("loadtest: %d users (prefix lt%s-), %d conversations, stream %s%n", population.users.size(),
                    population.runId, population.conversations.size(),
                    streams.connected() ? "connected" : "NOT AVAILABLE (" + streams.unavailable() + ")");
            if (o.scenario().needsFaultInjection()) {
                FaultSwitch.checkEnabled(client, o);
            }
            boolean changing = o.changes().present();
            ChangeTargets changeTargets = changing ? new ChangeTargets() : null;
            ChangeFigures changeFigures = new ChangeFigures();
            // Made before the clock starts: the REST clients open their connections first, which is setup, not load.
            try (MessageSender sender = o.transport() == Transport.SOCKET ? new SocketSender(streams, socketAcks)
                    : new RestSender(o.url(), o.users(), LoadOptions.MAX_IN_FLIGHT, REQUEST_TIMEOUT);
                 AsyncRest changeRest = changing
                         ? new AsyncRest(o.url(), o.users(), LoadOptions.MAX_IN_FLIGHT, REQUEST_TIMEOUT) : null) {
                ChangeMaker changes = changing
                        ? new ChangeMaker(population, busyGroup, changeTargets, changeRest, changeFigures) : null;
                RunClock clock = new RunClock(System.nanoTime());
                try (FaultSwitch faults = new FaultSwitch(client, o, clock, out)) {
                    SendOutcomes outcomes = new SendOutcomes(figures, ledger, busyGroup, changeTargets,
                            new OutcomeBuckets(clock.startNanos(), (int) o.duration().toSeconds() + 1));
                    Ticker ticker = new Ticker(o, clock, figures, new PoolSampler(client), faults, socketAcks, ledger,
                            streams.connected(), stopRule, out);
                    ConnectionStorm storm = o.scenario() == Scenario.STORM
                            ? new ConnectionStorm(o.storm(), StreamConnection.endpoint(o.url(), o.echo()),
                                    population.users, out) : null;
                    if (storm != null) {
                        storm.start(clock.startNanos() + Scenario.faultStart(o.duration()).toNanos(),
                                clock.startNanos() + o.duration().toNanos());
                    }
                    try (TypingAndReconnects typingAndReconnects = new TypingAndReconnects(o.chatter(), population,
                            streams, chatter)) {
                        typingAndReconnects.start(clock.startNanos());
                        sendAll(clock, ticker, faults, new OutgoingMessages(population, busyGroup, clientMsgIds),
                                sender, outcomes, changes);
                    } finally {
                        if (storm != null) {
                            storm.close();
                        }
                    }
                    double activeSeconds = clock.secondsAt(System.nanoTime());
                    ticker.tick();
                    IntegrityCheck check = new IntegrityCheck(client, ledger, population.conversations,
                            streams.connected(), changing);
                    check.awaitDeliveries(o.drain());
                    IntegrityReport integrity = check.report();
                    out.println("loadtest: " + streams.resumptionLine());
                    if (storm != null) {
                        boolean delivered = streams.connected();
                        storm.report(delivered ? figures.deliveredPerSecond() : figures.ackPerSecond(),
                                delivered ? "send-to-delivered" : "send-to-ack", clock.startNanos());
                    }
                    return new LoadRunResult(startedAt, clock.startNanos(), activeSeconds, population.users.size(),
                            population.conversations.size(), figures.attempted(), figures.acked(), figures.failed(),
                            figures.errorsByKind(), figures.sendToAck(), figures.sendToDelivered(),
                            figures.refusals(activeSeconds), figures.opening(), figures.timeline(), figures.ackPerSecond(),
                            figures.deliveredPerSecond(), figures.generator().sentToDeliveredPerSecond(),
                            outcomes.bySecond(), figures.generator().report(o.sloP99Millis()),
                            busyGroup == null ? null : busyGroup.report(),
                            changing ? changeFigures.report(o.changes()) : null,
                            chatter.report(o.chatter(), activeSeconds, figures.timeline(), figures.ackPerSecond(),
                                    figures.deliveredPerSecond()),
                            faults.applied(), streams.unavailable(), integrity);
                }
            }
        }
    }

    /** The pacer's whole schedule, with the ticker running beside it; leaves the faults switched back. */
    private void sendAll(RunClock clock, Ticker ticker, FaultSwitch faults, OutgoingMessages messages,
                         MessageSender sender, SendOutcomes outcomes, ChangeMaker changes) throws InterruptedException {
        ScheduledExecutorService ticking = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loadtest-ticker");
            t.setDaemon(true);
            return t;
        });
        ticking.scheduleAtFixedRate(ticker::tick, 1, 1, TimeUnit.SECONDS);
        try {
            new Pacer(o, clock, figures, messages, sender, outcomes, changes).pace();
        } finally {
            ticking.shutdown();
            ticking.awaitTermination(5, TimeUnit.SECONDS);
            faults.switchRemaining();
        }
    }
}
