package dev.courier.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.db.NotificationListener;
import dev.courier.testing.TestDatabase;

/** The two-node contract over LISTEN/NOTIFY; the outage terminates the LISTEN backends from PostgreSQL. */
class PostgresBusStreamTest extends TwoNodeStreamContract {

    @Override
    String bus() {
        return "postgres";
    }

    /** A node alone on the database does not announce its messages; each counts the other's listener within a second. */
    @Override
    void awaitNodesSeeEachOther() {
        assertThat(counterOnceAtLeast(apiA, "courier_bus_other_listeners", 1)).isEqualTo(1);
        assertThat(counterOnceAtLeast(apiB, "courier_bus_other_listeners", 1)).isEqualTo(1);
    }

    @Override
    void breakTheBus() {
        TestDatabase.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
                + NotificationListener.applicationName() + "'");
    }
}
