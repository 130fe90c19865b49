package dev.courier.ratelimit;

import dev.courier.config.PoolConfig;
import dev.courier.config.RateLimitConfig;
import dev.courier.db.Database;
import dev.courier.db.EmbeddedDatabase;
import dev.courier.db.PooledDatabaseFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
 * What one rate-limit check costs, one at a time, on the {@code rate_buckets} table as the migration makes it
 * (unlogged) and, for comparison, logged: the figure behind keeping the table unlogged ({@code docs/security.md}). On
 * Courier's own embedded PostgreSQL, which flushes its WAL on commit as production does ({@code fsync} and
 * {@code synchronous_commit} on), unlike the test server. Sampled, so JMH reports the median ({@code p0.50}) beside
 * the mean. The embedded database keeps its files in {@code target/bench-ratelimit-db} between runs. Run with
 * {@code bench/jmh.sh RateLimitCheck}: four forks, a few minutes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class RateLimitCheckBenchmark {

    @Param({"unlogged", "logged"})
    public String table;

    private EmbeddedDatabase embedded;
    private Database db;
    private RateLimiter limiter;
    private int checks;

    @Setup(Level.Trial)
    public void start() {
        embedded = EmbeddedDatabase.start(Path.of("target", "bench-ratelimit-db"));
        db = PooledDatabaseFactory.open(embedded.target(), PoolConfig.defaults().withMaxSize(4),
                new SimpleMeterRegistry(), () -> { });
        // Set either way: the files outlive the run, and with them the table's last setting.
        String persistence = table.equals("logged") ? "LOGGED" : "UNLOGGED";
        db.withHandle("bench.rateBuckets", h -> h.execute("ALTER TABLE rate_buckets SET " + persistence));
        // A bucket far larger than a run can spend: every check is allowed, so every check is the same update.
        limiter = new RateLimiter(db, RateLimitConfig.parse("messages=1000000/1s"));
    }

    @TearDown(Level.Trial)
    public void stop() {
        db.close();
        embedded.close();
    }

    /** One check, for the next of 200 users in turn. */
    @Benchmark
    public void checkOneUser() {
        limiter.checkUser(Limit.MESSAGES, 1_000 + checks++ % 200);
    }
}
