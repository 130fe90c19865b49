package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.report.LoadReport;
import java.util.concurrent.atomic.LongAdder;

/** What the run's typing and reconnects did, and what the streams heard of them; counted from many threads. */
final class ChatterCounts {

    final LongAdder typingSent = new LongAdder();
    final LongAdder typingReceived = new LongAdder();
    final LongAdder cameOnline = new LongAdder();
    final LongAdder wentOffline = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final LongAdder reconnectFailures = new LongAdder();

    /** Null for a run without typing or reconnects, which has nothing to say here. */
    LoadReport.Chatter report(LoadOptions.Chatter options, double activeSeconds) {
        if (!options.present()) {
            return null;
        }
        double seconds = Math.max(activeSeconds, 1e-9);
        return new LoadReport.Chatter(options.typingShare(), options.reconnectShare(),
                options.reconnectPause().toMillis() / 1000.0, typingSent.sum(), typingSent.sum() / seconds,
                typingReceived.sum(), reconnects.sum(), reconnectFailures.sum(), cameOnline.sum(), wentOffline.sum());
    }
}
