package dev.courier.messages;

import dev.courier.config.JdbcTarget;
import dev.courier.config.PoolConfig;
import dev.courier.db.Database;
import dev.courier.db.DatabaseTarget;
import dev.courier.db.PooledDatabaseFactory;
import dev.courier.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Handle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What storing one batch costs with its columns bound as {@link MessageStore} binds them (arrays handed to the driver)
 * and, for comparison, the two ways Jdbi offers: lists through {@code bindArray}, and arrays resolved by Jdbi's
 * argument factories. The three run the same statement on the same database, so what sets them apart is the Java side
 * (binding, the driver's encoding, reading the rows back). Their time per batch includes the database's work and
 * moves with it; their allocation per batch ({@code -prof gc}, {@code gc.alloc.rate.norm}) is the Java side's alone.
 * {@code bench/results/2026-11-26-write-path.md} gives the calling thread's CPU time instead, measured by the
 * on-request test this replaces: those figures do not compare with these. On the test PostgreSQL, a fresh database
 * per fork. Run with {@code bench/jmh.sh MessageBatchBinding -prof gc}: nine forks, several minutes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MessageBatchBindingBenchmark {

    private static final String APPEND = "SELECT * FROM append_messages(:senders::bigint[], :conversations::bigint[], "
            + ":clientMsgIds::uuid[], :bodies::text[])";

    @Param({"1", "16", "64"})
    public int batchSize;

    private final MessageStore store = new MessageStore();
    /** The high half of every clientMsgId of this fork; the low half counts, so that every send is a new one. */
    private final long clientMsgIdPrefix = UUID.randomUUID().getMostSignificantBits();
    private long sent;
    private Database db;
    private List<Long> senders;
    private List<Long> conversations;
    private List<String> bodies;

    @Setup(Level.Trial)
    public void open() {
        JdbcTarget target = TestDatabase.freshDatabase();
        db = PooledDatabaseFactory.open(new DatabaseTarget(target.jdbcUrl(), target.user(), target.password(), "bench"),
                PoolConfig.defaults().withMaxSize(4), new SimpleMeterRegistry(), () -> { });
        // Eight users, all members of eight groups: every send of a batch is stored.
        senders = db.withHandle("bench.users", h -> h.createQuery("INSERT INTO users (username, display_name, "
                        + "password_hash) SELECT 'sender' || i, 'sender' || i, 'not a hash' "
                        + "FROM generate_series(1, 8) i RETURNING id")
                .mapTo(Long.class).list());
        conversations = db.withHandle("bench.groups", h -> {
            List<Long> ids = h.createQuery("INSERT INTO conversations (type, title) SELECT 'group', 'bench' "
                    + "FROM generate_series(1, 8) RETURNING id").mapTo(Long.class).list();
            h.execute("INSERT INTO memberships (conversation_id, user_id) "
                    + "SELECT c.id, u.id FROM conversations c, users u");
            return ids;
        });
        bodies = IntStream.range(0, batchSize)
                .mapToObj(i -> "a message of an ordinary length, with \"quotes\" and an é now and then " + i).toList();
    }

    /** Fails the run if a send was refused or not stored: then the figures would not be of storing batches. */
    @TearDown(Level.Trial)
    public void checkEverySendWasStoredAndClose() {
        try {
            long stored = db.withHandle("bench.count", h -> h.createQuery("SELECT count(*) FROM messages")
                    .mapTo(Long.class).one());
            if (stored != sent) {
                throw new IllegalStateException(sent + " sends but " + stored + " messages stored");
            }
        } finally {
            db.close();
        }
    }

    /** As the message writers store a batch. */
    @Benchmark
    public List<MessageStore.Appended> arraysToTheDriver() {
        List<PendingSend> batch = nextBatch();
        return db.withHandle("messages.send", h -> store.append(h, batch, null));
    }

    /** Lists through {@code bindArray}: Jdbi builds a parameterized type per call and matches it by reflection. */
    @Benchmark
    public List<MessageStore.Appended> listsThroughBindArray() {
        List<PendingSend> batch = nextBatch();
        return db.withHandle("messages.send", h -> h.createQuery(APPEND)
                .bindArray("senders", Long.class, batch.stream().map(PendingSend::senderId).toList())
                .bindArray("conversations", Long.class, batch.stream().map(PendingSend::conversationId).toList())
                .bindArray("clientMsgIds", UUID.class, batch.stream().map(PendingSend::clientMsgId).toList())
                .bindArray("bodies", String.class, batch.stream().map(PendingSend::body).toList())
                .map((rs, ctx) -> MessageStore.appended(rs))
                .list());
    }

    /** Arrays bound by value, which Jdbi resolves through its array argument factory. */
    @Benchmark
    public List<MessageStore.Appended> arraysThroughJdbi() {
        List<PendingSend> batch = nextBatch();
        return db.withHandle("messages.send", h -> h.createQuery(APPEND)
                .bind("senders", batch.stream().mapToLong(PendingSend::senderId).toArray())
                .bind("conversations", batch.stream().mapToLong(PendingSend::conversationId).toArray())
                .bind("clientMsgIds", batch.stream().map(PendingSend::clientMsgId).toArray(UUID[]::new))
                .bind("bodies", batch.stream().map(PendingSend::body).toArray(String[]::new))
                .map((rs, ctx) -> MessageStore.appended(rs))
                .list());
    }

    /** New sends, made cheaply (counted clientMsgIds, not random ones) so as not to weigh on the figure. */
    private List<PendingSend> nextBatch() {
        List<PendingSend> batch = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            batch.add(new PendingSend(senders.get(i % 8), conversations.get(i * 3 % 8),
                    new UUID(clientMsgIdPrefix, ++sent), bodies.get(i), null));
        }
        return batch;
    }
}
