package dev.courier.loadtest.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.measure.GeneratorLoad;
import dev.courier.loadtest.report.LoadReport;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RunFiguresTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void theOpeningIsTheFirstHundredSendsWhateverOrderTheirDeliveriesArriveIn() {
        RunFigures figures = new RunFigures(new GeneratorLoad());
        long start = 1_000_000 * MS;
        // 150 sends 10 ms apart; the first 100 take 40 ms to arrive, the later ones 2 ms.
        for (int i = 0; i < 150; i++) {
            figures.sent(start + i * 10 * MS);
        }
        for (int i = 149; i >= 0; i--) {
            long intended = start + i * 10 * MS;
            long latency = (i < RunFigures.OPENING_SENDS ? 40 : 2) * MS;
            figures.acked(intended, intended, intended + latency);
            figures.delivered(intended, intended, intended + latency);
        }
        figures.closeSecond(1, 100, null);

        LoadReport.Opening opening = figures.opening();
        assertThat(opening.sends()).isEqualTo(100);
        assertThat(opening.sendToDelivered().count()).isEqualTo(100);
        assertThat(opening.sendToAck().count()).isEqualTo(100);
        assertThat(opening.sendToDelivered().p50()).isBetween(39.0, 41.0);
        assertThat(figures.sendToDelivered().count()).isEqualTo(150);
        assertThat(figures.sendToDelivered().p50()).as("the totals mix both").isLessThan(41.0);
    }

    @Test
    void aShortRunIsAllOpening() {
        RunFigures figures = new RunFigures(new GeneratorLoad());
        for (int i = 0; i < 7; i++) {
            figures.sent(i * MS);
            figures.delivered(i * MS, i * MS, i * MS + 5 * MS);
        }
        figures.closeSecond(1, 7, null);

        assertThat(figures.opening().sends()).isEqualTo(7);
        assertThat(figures.opening().sendToDelivered().count()).isEqualTo(7);
    }
}
