package dev.courier.loadtest.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.report.LatencySummary;
import dev.courier.loadtest.report.LoadReport;
import org.junit.jupiter.api.Test;

class RefusalTrackerTest {

    private static final long MS = 1_000_000L;

    @Test
    void aRefusalCountsFromItsIntendedTimeAndSeparatelyFromItsActualSend() {
        RefusalTracker refusals = new RefusalTracker();
        long intended = 1_000 * MS;
        long sent = intended + 200 * MS; // the generator fell behind
        refusals.refused(intended, sent, sent + 4 * MS, true);

        LatencySummary second = LatencySummary.of(refusals.closeInterval());
        LoadReport.Refusals run = refusals.report(1);

        assertThat(second.count()).isEqualTo(1);
        assertThat(second.max()).isBetween(203.0, 205.0);
        assertThat(run.sendToRefusal().max()).isBetween(203.0, 205.0);
        assertThat(run.sentToRefusal().max()).as("the server's own share").isBetween(3.9, 4.1);
    }

    @Test
    void theRunsFiguresAddUpItsSecondsAndCountRefusalsThatDidNotSayWhenToComeBack() {
        RefusalTracker refusals = new RefusalTracker();
        refusals.refused(0, 0, 2 * MS, true);
        refusals.refused(0, 0, 3 * MS, false);
        LatencySummary first = LatencySummary.of(refusals.closeInterval());
        refusals.refused(0, MS, 50 * MS, true);
        LatencySummary second = LatencySummary.of(refusals.closeInterval());
        LatencySummary quiet = LatencySummary.of(refusals.closeInterval());

        LoadReport.Refusals run = refusals.report(4);

        assertThat(first.count()).isEqualTo(2);
        assertThat(second.count()).isEqualTo(1);
        assertThat(quiet.count()).isZero();
        assertThat(run.count()).isEqualTo(3);
        assertThat(run.perSecond()).isEqualTo(0.75);
        assertThat(run.withoutRetryAfter()).isEqualTo(1);
        assertThat(run.sendToRefusal().count()).isEqualTo(3);
        assertThat(run.sentToRefusal().count()).isEqualTo(3);
        assertThat(run.sendToRefusal().max()).isBetween(49.9, 50.1);
        assertThat(run.sentToRefusal().max()).isBetween(48.9, 49.1);
    }

    @Test
    void aRunWithoutRefusalsReportsNone() {
        LoadReport.Refusals run = new RefusalTracker().report(10);

        assertThat(run.count()).isZero();
        assertThat(run.sendToRefusal()).isEqualTo(LatencySummary.EMPTY);
    }
}
