package dev.courier.warmup;

import dev.courier.messages.Message;
import dev.courier.stream.FrameRehearsal;
import java.time.Instant;
import java.util.UUID;

/** The JSON of the stream's frames and of a message's REST body, on a sample message. */
public final class CodecWarmup implements WarmupStep {

    private static final int ROUNDS_PER_CHECK = 100;

    private final int rounds;

    public CodecWarmup(int rounds) {
        this.rounds = rounds;
    }

    @Override
    public String name() {
        return "the JSON codecs of frames and message bodies";
    }

    @Override
    public void run(long deadlineNanos) {
        Message sample = new Message(1, 1, 1, 1, UUID.randomUUID(), "warm-up", Instant.now());
        for (int done = 0; done < rounds && System.nanoTime() - deadlineNanos < 0; done += ROUNDS_PER_CHECK) {
            FrameRehearsal.run(sample, Math.min(ROUNDS_PER_CHECK, rounds - done));
        }
    }
}
