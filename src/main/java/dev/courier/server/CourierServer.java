package dev.courier.server;

import dev.courier.accounts.AccountRoutes;
import dev.courier.apidocs.ApiDescription;
import dev.courier.audit.AuditContext;
import dev.courier.audit.AuditSchedule;
import dev.courier.audit.BusProber;
import dev.courier.accounts.AccountService;
import dev.courier.accounts.Accounts;
import dev.courier.attachments.AttachmentsOfTombstones;
import dev.courier.accounts.UserAdminRoutes;
import dev.courier.audit.AdminAuditLog;
import dev.courier.audit.AuditRoutes;
import dev.courier.export.AccountExport;
import dev.courier.export.ExportRoutes;
import dev.courier.messages.SendRehearsal;
import dev.courier.messages.SentMessages;
import dev.courier.messages.Tombstones;
import dev.courier.retention.RetentionPurge;
import dev.courier.accounts.Authentication;
import dev.courier.accounts.SessionCache;
import dev.courier.accounts.UserStore;
import dev.courier.attachments.AttachmentRoutes;
import dev.courier.attachments.AttachmentService;
import dev.courier.attachments.AttachmentSweeper;
import dev.courier.attachments.BlobStore;
import dev.courier.attachments.DirectoryBlobStore;
import dev.courier.attachments.PostgresBlobStore;
import dev.courier.bus.EventBus;
import dev.courier.bus.LocalFirstBus;
import dev.courier.bus.NatsBus;
import dev.courier.bus.OrderedListeners;
import dev.courier.bus.PostgresBus;
import dev.courier.config.CourierConfig;
import dev.courier.config.StreamConfig;
import dev.courier.conversations.ConversationRoutes;
import dev.courier.conversations.ConversationService;
import dev.courier.conversations.ConversationStore;
import dev.courier.db.Database;
import dev.courier.db.DatabaseTarget;
import dev.courier.db.EmbeddedDatabase;
import dev.courier.db.FaultInjection;
import dev.courier.db.PgBouncerConsole;
import dev.courier.db.PooledDatabaseFactory;
import dev.courier.events.DomainEvent;
import dev.courier.events.EventSink;
import dev.courier.messages.AnnouncementSource;
import dev.courier.messages.AnswerScope;
import dev.courier.messages.CommitPublisher;
import dev.courier.messages.MessageChanges;
import dev.courier.messages.MessageRoutes;
import dev.courier.messages.MessageService;
import dev.courier.messages.MessageStoredEvents;
import dev.courier.ops.AccessLog;
import dev.courier.ops.FaultRoutes;
import dev.courier.ops.Health;
import dev.courier.ops.Observability;
import dev.courier.ops.OpsRoutes;
import dev.courier.ops.PauseDetector;
import dev.courier.ops.PoolRoutes;
import dev.courier.ops.PrometheusConventions;
import dev.courier.ops.ProcessCpuShare;
import dev.courier.ops.ResidentMemory;
import dev.courier.ops.ScalingSignal;
import dev.courier.ops.alerts.FailedAuditChecks;
import dev.courier.nodes.LocalNode;
import dev.courier.nodes.NodeRegistry;
import dev.courier.nodes.NodeRoutes;
import dev.courier.presence.PresenceTracker;
import dev.courier.stream.CoalescedAnswers;
import dev.courier.stream.StreamRoutes;
import dev.courier.ratelimit.BucketSweeper;
import dev.courier.ratelimit.LoginThrottle;
import dev.courier.ratelimit.RateLimiter;
import dev.courier.search.PendingWordsMerger;
import dev.courier.search.SearchRoutes;
import dev.courier.search.SearchService;
import dev.courier.warmup.CodecWarmup;
import dev.courier.warmup.DatabaseWarmup;
import dev.courier.warmup.LoopbackWarmup;
import dev.courier.warmup.Warmup;
import dev.courier.warmup.WarmupRequests;
import dev.courier.web.AdminAuthentication;
import dev.courier.web.BodySizeLimit;
import dev.courier.web.ClientAddresses;
import dev.courier.web.CorsPolicy;
import dev.courier.web.Draining;
import dev.courier.web.Routes;
import io.javalin.Javalin;
import io.javalin.router.InternalRouter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every part of a Courier node from its configuration, wires them, and stops them
 * in reverse order. Every dependency of the server is visible here.
 */
public final class CourierServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CourierServer.class);
    private static final Duration ATTACHMENT_SWEEP_EVERY = Duration.ofMinutes(10);
    /** Start-up work for the first requests is worth seconds of start, not more: past this the node is ready cold. */
    private static final Duration WARMUP_BUDGET = Duration.ofSeconds(5);
    private static final int WARMUP_CODEC_ROUNDS = 500;
    private static final int WARMUP_REQUEST_ROUNDS = 100;

    private final Javalin http;
    private final Database database;
    private final EmbeddedDatabase embedded;
    private final List<AutoCloseable> closeInOrder;
    private final String databaseDescription;
    private final FaultInjection faults;
    private final Observability observability;
    private final List<Routes.Declared> routes;
    private final Draining draining;
    private final StreamRoutes stream;
    private final Duration drainTimeout;

    private CourierServer(Javalin http, Database database, EmbeddedDatabase embedded, List<AutoCloseable> closeInOrder,
                          String databaseDescription, FaultInjection faults, Observability observability,
                          List<Routes.Declared> routes, Draining draining, StreamRoutes stream, Duration drainTimeout) {
        this.routes = routes;
        this.draining = draining;
        this.stream = stream;
        this.drainTimeout = drainTimeout;
        this.faults = faults;
        this.observability = observability;
        this.http = http;
        this.database = database;
        this.embedded = embedded;
        this.closeInOrder = closeInOrder;
        this.databaseDescription = databaseDescription;
    }

    public static CourierServer start(CourierConfig config) {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            meters.config().meterFilter(new PrometheusConventions());
            bindJvmMetrics(meters);

            EmbeddedDatabase embedded = config.database().embedded()
                    ? EmbeddedDatabase.start(config.database().dataDir()) : null;
            if (embedded != null) {
                started.addFirst(embedded);
            }
            DatabaseTarget target = embedded != null ? embedded.target() : externalTarget(config);
            DatabaseTarget sessions = sessionTarget(config, target);
            if (sessions.transactionPooled()) {
                // Flyway's session-level lock (which CREATE INDEX CONCURRENTLY needs) and the postgres bus's LISTEN
                // both hold a session; through transaction pooling each statement may land on another server
                // connection, so the lock would never be released and the notifications would never arrive.
                throw new IllegalArgumentException("--db-pool-mode transaction needs --db-direct-url (PostgreSQL "
                        + "itself): the migrations' lock and the postgres bus's LISTEN need a session of their own");
            }
            // Before the pool: the leak sweep leaves this process's pauses out of its judgements.
            PauseDetector pauses = PauseDetector.start(meters);
            started.addFirst(pauses);
            Database database = PooledDatabaseFactory.open(target, sessions, config.pool(), meters, pauses, () -> { });
            started.addFirst(database);

            // The send path's hand-offs are wired below; docs/stream.md follows a message through them in order.
            AnnouncementSource announcements;
            EventBus toOtherNodes;
            if (config.stream().bus().equals(StreamConfig.POSTGRES)) {
                PostgresBus postgresBus = new PostgresBus(database, sessions, meters);
                announcements = postgresBus;
                toOtherNodes = postgresBus;
            } else {
                // NATS carries stored messages as it carries every other event
                announcements = AnnouncementSource.NONE;
                toOtherNodes = NatsBus.connect(config.stream().bus(), meters);
            }
            EventBus bus = new LocalFirstBus(toOtherNodes);
            started.addFirst(bus);
            EventSink events = bus;
            // The audit needs the bus and the node registry, built below; the alert engine reads its verdict from now.
            AtomicReference<FailedAuditChecks> auditVerdict = new AtomicReference<>(FailedAuditChecks.NONE);
            Observability observability = Observability.start(config.alerts(), config.pool(), config.http().port(),
                    database, meters, () -> auditVerdict.get().failed(), pauses, bus::link);
            started.addFirst(observability);
            UserStore users = new UserStore();
            ConversationStore conversationStore = new ConversationStore();
            SessionCache sessionCache = new SessionCache(meters);
            // Retention and the erasure of deleted accounts tombstone in bulk; the attachments only those messages
            // referenced become orphans for the attachment sweeper.
            Tombstones tombstones = new Tombstones(events, new AttachmentsOfTombstones());
            Accounts accountFeature = new Accounts(database, users, config.sessions(), events, sessionCache, tombstones,
                    meters);
            started.addFirst(accountFeature);
            AccountService accounts = accountFeature.service();
            ConversationService conversations = new ConversationService(database, conversationStore, users, events);
            BlobStore blobs = config.attachments().directory().<BlobStore>map(DirectoryBlobStore::new)
                    .orElseGet(() -> new PostgresBlobStore(database, PostgresBlobStore.DEFAULT_SPOOL));
            AttachmentService attachments = new AttachmentService(database, blobs, config.attachments());
            started.addFirst(new AttachmentSweeper(database, blobs, ATTACHMENT_SWEEP_EVERY));
            CommitPublisher commitPublisher = new MessageStoredEvents(events, meters);
            AnswerScope answerScope = new CoalescedAnswers();
            MessageService messages = new MessageService(database, conversationStore, events,
                    config.pool().writerConnections(), meters, announcements, commitPublisher, answerScope, attachments);
            started.addFirst(messages);
            MessageChanges changes = new MessageChanges(database, conversationStore, events,
                    config.pool().acquireTimeout());
            RateLimiter rateLimiter = new RateLimiter(database, config.security().rateLimits());
            started.addFirst(new BucketSweeper(rateLimiter, java.time.Duration.ofMinutes(1)));
            started.addFirst(new PendingWordsMerger(database, meters).start());
            ClientAddresses clientAddresses = new ClientAddresses(config.security().trustedProxies());

            PresenceTracker presence = new PresenceTracker(database, events, config.stream().presence(), meters);
            started.addFirst(presence);
            StreamRoutes stream = new StreamRoutes(accounts, messages, changes, conversations, presence, events,
                    database, rateLimiter, config.stream(), config.security().stream(), meters);
            started.addFirst(stream);
            new ScalingSignal(database, stream::openStreams, ProcessCpuShare.ofThisProcess(), config.scaling(),
                    meters);
            NodeRegistry nodes = new NodeRegistry(database, new LocalNode(version(), database.schemaVersion(), config,
                    target.port(), database::admissionLimit, clientAddresses::untrustedForwardedForSeen,
                    () -> observability.alerts().lastEvaluation()));
            // The cache first: a revoked token is refused on this node before the hub closes its streams.
            bus.subscribe(new OrderedListeners(List.of(sessionCache, stream.hub(), nodes)));

            started.addFirst(RetentionPurge.start(database, tombstones, config.retention()));
            AdminAuditLog auditLog = new AdminAuditLog(database);

            FaultInjection faults = config.faultInjection()
                    ? new FaultInjection(database, Optional.ofNullable(embedded)) : null;

            Draining draining = new Draining();
            Warmup warmup = new Warmup(WARMUP_BUDGET);
            WarmupRequests warmupRequests = new WarmupRequests();
            List<Consumer<Routes>> features = new ArrayList<>(List.of(
                    new AccountRoutes(accounts, accountFeature.myAccount(), new LoginThrottle(rateLimiter),
                            clientAddresses)::register,
                    new ExportRoutes(new AccountExport(accounts, conversations, new SentMessages(database)))::register,
                    new UserAdminRoutes(accountFeature.administration())::register,
                    new AuditRoutes(auditLog)::register,
                    new ConversationRoutes(conversations)::register,
                    new MessageRoutes(messages, changes)::register,
                    new AttachmentRoutes(attachments)::register,
                    new SearchRoutes(new SearchService(database, conversationStore))::register,
                    stream::register,
                    new OpsRoutes(new Health(database, draining, warmup), meters)::register,
                    observability::register));
            features.add(new PoolRoutes(database)::register);
            features.add(ApiDescription.load()::register);
            features.add(new NodeRoutes(nodes, events)::register);
            if (faults != null) {
                // every switch of a fault goes on the open incident's timeline
                faults.addListener(observability.incidents()::faultSwitched);
                features.add(new FaultRoutes(faults)::register);
            }
            AdminAuthentication admin = new AdminAuthentication(config.adminToken());
            RouteGuard guard = new RouteGuard(database, new Authentication(accounts), admin, rateLimiter,
                    clientAddresses);
            HttpApi api = new HttpApi(config.http(), guard, admin, observability.httpMetrics(), features, database,
                    new CorsPolicy(config.security().corsOrigins()),
                    new BodySizeLimit.Upload(AttachmentRoutes.UPLOAD_PATH, config.attachments().maxBytes()),
                    new AccessLog(clientAddresses, warmupRequests), auditLog, draining);
            Javalin http = api.start();
            // Listening, but not ready until the first requests would find nothing left to do for the first time.
            warmup.run(List.of(
                    new CodecWarmup(WARMUP_CODEC_ROUNDS),
                    new DatabaseWarmup(database, new SendRehearsal(announcements)::rehearse),
                    new LoopbackWarmup(config.http().host(), http.port(), WARMUP_REQUEST_ROUNDS,
                            warmupRequests)));
            nodes.start(listensAt(config, http.port()));
            started.addFirst(nodes);
            HttpClient webhookProbes = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            BusProber prober = () -> {
                UUID probe = UUID.randomUUID();
                events.publish(new DomainEvent.BusProbe(probe));
                return probe;
            };
            AuditSchedule audit = AuditSchedule.start(config.audit(), meters, () -> AuditContext.load(database,
                    target.description(), target.port(), Optional.of(prober),
                    Optional.of(new PgBouncerConsole(target)), webhookProbes));
            started.addFirst(audit);
            auditVerdict.set(audit);
            return new CourierServer(http, database, embedded, started, target.description(), faults, observability,
                    api.declaredRoutes(), draining, stream, config.http().drainTimeout());
        } catch (RuntimeException | Error e) {
            closeAll(started);
            throw e;
        }
    }

    public int port() {
        return http.port();
    }

    public String databaseDescription() {
        return databaseDescription;
    }

    /**
     * Drains, then stops: readiness answers 503 at once and new requests and streams are refused with
     * {@code 503 overloaded} (so that a balancer sends them to other nodes); the sends in flight are answered and every
     * stream is closed with 1001, so that its client reconnects elsewhere and catches up; then the requests in flight
     * finish, and the pool and the embedded database close. All of it within the drain timeout: whatever is still
     * running then is cut.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        draining.begin();
        try {
            int streams = stream.drain(deadline);
            log.info("draining: {} streams closed with 1001 in {} ms", streams,
                    drainTimeout.toMillis() - Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            // what is left of the drain timeout, for the requests in flight (Jetty's graceful stop waits for them)
            http.jettyServer().server().setStopTimeout(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            http.stop();
        } catch (RuntimeException e) {
            log.warn("HTTP server did not stop cleanly: {}", e.toString());
        }
        closeAll(closeInOrder);
    }

    /** Whether the node drains (readiness 503, new work refused); for tests in this package. */
    boolean draining() {
        return draining.draining();
    }

    public Database database() {
        return database;
    }

    Observability observability() {
        return observability;
    }

    EmbeddedDatabase embedded() {
        return embedded;
    }

    /** Every route as the features declared it, with its policy. */
    List<Routes.Declared> declaredRoutes() {
        return routes;
    }

    /** Javalin's router: every route as registered, declared or not, for tests in this package. */
    InternalRouter router() {
        return http.unsafe.internalRouter;
    }

    /** The Jetty server under Javalin, for tests in this package that look at its parts. */
    org.eclipse.jetty.server.Server jetty() {
        return http.jettyServer().server();
    }

    /** The fault injection switches, when enabled (the incident timeline subscribes to their changes). */
    public Optional<FaultInjection> faults() {
        return Optional.ofNullable(faults);
    }

    /** The build's version from the jar's manifest. */
    private static String version() {
        String version = CourierServer.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }

    /** Where the node can be reached, as its row in {@code nodes} shows it. */
    private static String listensAt(CourierConfig config, int port) {
        String host = config.http().host();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "localhost";
            }
        }
        return host + ":" + port;
    }

    private static DatabaseTarget externalTarget(CourierConfig config) {
        var external = config.database().external().orElseThrow();
        boolean pooled = config.database().transactionPooled();
        return new DatabaseTarget(external.jdbcUrl(), external.user(), external.password(),
                external.describe() + (pooled ? " (transaction pooling)" : ""), pooled);
    }

    /**
     * Where the work that needs a session of its own connects (the migrations, LISTEN): PostgreSQL itself when
     * --db-direct-url names it, else the pool's target, which must then be PostgreSQL itself too.
     */
    private static DatabaseTarget sessionTarget(CourierConfig config, DatabaseTarget target) {
        return config.database().direct()
                .map(d -> new DatabaseTarget(d.jdbcUrl(), d.user(), d.password(), d.describe()))
                .orElse(target);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("error while stopping {}: {}", resource.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private static void bindJvmMetrics(PrometheusMeterRegistry meters) {
        new ClassLoaderMetrics().bindTo(meters);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmGcMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        // Open file descriptors (process_files_open_files) and the process's resident memory: with the heap and the
        // threads, what a soak watches for leaks.
        new FileDescriptorMetrics().bindTo(meters);
        ResidentMemory.bindTo(meters);
    }
}
