package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.LoadSetupException;
import dev.courier.loadtest.Scenario;
import dev.courier.loadtest.client.ApiResponse;
import dev.courier.loadtest.client.CourierClient;
import dev.courier.loadtest.report.LoadReport;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Switches the scenario's faults through {@code PUT /v1/admin/faults} when each falls due, and keeps what the
 * server answered to each. Faults are switched one at a time, off the ticker: stopping a database can take seconds.
 */
final class FaultSwitch implements AutoCloseable {

    private final CourierClient client;
    private final LoadOptions o;
    private final RunClock clock;
    private final PrintStream out;
    private final List<Scenario.FaultChange> plan;
    private final ExecutorService switching = Executors.newSingleThreadExecutor(Thread.ofVirtual().factory());
    private final List<LoadReport.AppliedFault> applied = new CopyOnWriteArrayList<>();
    /** Read and advanced by the ticker, and by the run once the ticker has stopped. */
    private int next;

    FaultSwitch(CourierClient client, LoadOptions o, RunClock clock, PrintStream out) {
        this.client = client;
        this.o = o;
        this.clock = clock;
        this.out = out;
        this.plan = o.scenario().faults(o);
    }

    /** Fails the setup unless the server lets this admin token switch faults. */
    static void checkEnabled(CourierClient client, LoadOptions o) throws InterruptedException {
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

    /** Starts switching every fault due by {@code elapsed}. Called by the ticker. */
    void switchDue(Duration elapsed) {
        while (next < plan.size() && plan.get(next).at().compareTo(elapsed) <= 0) {
            Scenario.FaultChange change = plan.get(next++);
            switching.execute(() -> apply(change));
        }
    }

    /** Leaves the server as it was found, even when the run ended early. Called once the ticker has stopped. */
    void switchRemaining() throws InterruptedException {
        switching.shutdown();
        switching.awaitTermination(LoadRun.REQUEST_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
        while (next < plan.size()) {
            apply(plan.get(next++));
        }
    }

    List<LoadReport.AppliedFault> applied() {
        return List.copyOf(applied);
    }

    private void apply(Scenario.FaultChange change) {
        double at = clock.secondsAt(System.nanoTime());
        try {
            ApiResponse r = client.put("/v1/admin/faults", o.adminToken().orElseThrow(), change.faults());
            applied.add(new LoadReport.AppliedFault(at, change.faults(), r.status(), r.body()));
            out.printf("loadtest: t=%.1fs PUT /v1/admin/faults %s -> %d%n", at, change.faults(), r.status());
        } catch (IOException e) {
            applied.add(new LoadReport.AppliedFault(at, change.faults(), -1, e.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        switching.shutdownNow();
    }
}
