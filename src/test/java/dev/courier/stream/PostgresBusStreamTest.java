package dev.courier.stream;

import dev.courier.db.NotificationListener;
import dev.courier.testing.TestDatabase;

/** The two-node contract over LISTEN/NOTIFY; the outage terminates the LISTEN backends from PostgreSQL. */
class PostgresBusStreamTest extends TwoNodeStreamContract {

    @Override
    String bus() {
        return "postgres";
    }

    @Override
    void breakTheBus() {
        TestDatabase.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
                + NotificationListener.applicationName() + "'");
    }
}
