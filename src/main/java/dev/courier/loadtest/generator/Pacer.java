package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadOptions;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * The open-model loop: each arrival starts at its intended time, whether or not earlier ones have finished, until
 * the schedule ends or the run is asked to stop. An arrival is a send, or, in the shares of the run's change mix, an
 * edit or a reaction. At most {@link LoadOptions#MAX_IN_FLIGHT} are unanswered at once.
 */
final class Pacer {

    private final ArrivalSchedule schedule;
    private final RunClock clock;
    private final RunFigures figures;
    private final OutgoingMessages messages;
    private final MessageSender sender;
    private final SendOutcomes outcomes;
    private final LoadOptions.ChangeMix mix;
    /** Null when the run makes no changes. */
    private final ChangeMaker changes;

    Pacer(LoadOptions o, RunClock clock, RunFigures figures, OutgoingMessages messages, MessageSender sender,
          SendOutcomes outcomes, ChangeMaker changes) {
        this.schedule = new ArrivalSchedule(o.scenario().profile(o), clock.startNanos(), o.duration(), o.maxMessages());
        this.clock = clock;
        this.figures = figures;
        this.messages = messages;
        this.sender = sender;
        this.outcomes = outcomes;
        this.mix = o.changes();
        this.changes = changes;
    }

    /** Sends the whole schedule; returns once every send has ended. */
    void pace() throws InterruptedException {
        Semaphore inFlight = new Semaphore(LoadOptions.MAX_IN_FLIGHT);
        PacerWakeups wakeups = new PacerWakeups();
        long arrival = 0;
        while (schedule.hasNext() && !clock.stopRequested()) {
            long intended = schedule.next();
            long now = System.nanoTime();
            long wake = wakeups.wakeFor(intended, now);
            if (wake > now) {
                sleepUntil(wake);
                now = System.nanoTime();
                wakeups.wokeAt(now);
            }
            figures.handedOff(intended, now);
            if (!inFlight.tryAcquire()) {
                figures.heldByInFlightCap();
                inFlight.acquire();
            }
            LoadOptions.ChangeMix.Kind kind = mix.kindOf(arrival++);
            if (changes != null && kind != LoadOptions.ChangeMix.Kind.SEND) {
                Optional<CompletableFuture<Void>> change = changes.start(kind, intended);
                if (change.isPresent()) {
                    change.get().whenComplete((ended, failure) -> inFlight.release());
                    continue;
                }
            }
            OutgoingMessage message = messages.next(intended, System.nanoTime(), figures.sent(intended));
            sender.send(message).whenComplete((m, failure) -> {
                // Nothing else would see an exception here, and a lost permit would stall the pacer.
                try {
                    if (!(failure instanceof CancellationException)) {
                        outcomes.record(message, intended, m, failure);
                    }
                } finally {
                    inFlight.release();
                }
            });
        }
        // Socket sends still waiting end with their ack, an error frame or the ticker's timeout sweep; changes with
        // their answer or the client's timeout.
        inFlight.acquire(LoadOptions.MAX_IN_FLIGHT);
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long wait = nanoTime - System.nanoTime(); wait > 0; wait = nanoTime - System.nanoTime()) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }
}
