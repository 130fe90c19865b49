package dev.courier.loadtest.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.report.LoadReport;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class BusyGroupFiguresTest {

    private static final long BUSY = 42;
    private static final long OTHER = 7;

    @Test
    void theBusyGroupGetsExactlyItsShareOfTheSendsSpreadEvenly() {
        long[] busy = LongStream.range(0, 1_000).filter(n -> BusyGroupFigures.goesToBusyGroup(n, 0.25)).toArray();

        assertThat(busy).hasSize(250);
        for (int i = 1; i < busy.length; i++) {
            assertThat(busy[i] - busy[i - 1]).as("one busy send in every four").isEqualTo(4);
        }
        assertThat(LongStream.range(0, 1_000).filter(n -> BusyGroupFigures.goesToBusyGroup(n, 0.9)).count())
                .isEqualTo(900);
        assertThat(LongStream.range(0, 1_000).noneMatch(n -> BusyGroupFigures.goesToBusyGroup(n, 0))).isTrue();
    }

    @Test
    void outcomesAndDeliveriesAreCountedOnTheSideOfTheirConversation() {
        BusyGroupFigures figures = new BusyGroupFigures(new LoadOptions.BusyGroup(0.5, 10), BUSY);
        long ms = 1_000_000;
        IntStream.range(0, 3).forEach(i -> figures.outcome(BUSY, true));
        figures.outcome(BUSY, false);
        figures.outcome(OTHER, true);
        figures.delivered(BUSY, 0, 200 * ms);
        figures.delivered(BUSY, 0, 300 * ms);
        figures.delivered(OTHER, 0, 5 * ms);

        LoadReport.BusyGroup report = figures.report();

        assertThat(report.conversationId()).isEqualTo(BUSY);
        assertThat(report.members()).isEqualTo(10);
        assertThat(List.of(report.busy().acked(), report.busy().failed())).containsExactly(3L, 1L);
        assertThat(report.busy().errorRate()).isEqualTo(0.25);
        assertThat(report.busy().sendToDelivered().count()).isEqualTo(2);
        assertThat(report.busy().sendToDelivered().max()).isBetween(299.0, 301.0);
        assertThat(List.of(report.others().acked(), report.others().failed())).containsExactly(1L, 0L);
        assertThat(report.others().sendToDelivered().count()).isEqualTo(1);
        assertThat(report.others().sendToDelivered().p99()).as("the busy group's latency stays on its side")
                .isBetween(4.9, 5.1);
    }
}
