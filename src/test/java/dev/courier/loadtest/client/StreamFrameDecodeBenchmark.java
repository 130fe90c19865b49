package dev.courier.loadtest.client;

import java.io.IOException;
import java.nio.CharBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The load tester's JSON work per frame it reads: it runs on the same cores as the server it measures, and reads
 * about four frames per message (the sender's {@code ack} and each member's {@code message}). Encoding its
 * {@code send} frame is the one frame it writes. Run with {@code bench/jmh.sh StreamFrameDecode}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class StreamFrameDecodeBenchmark {

    private static final String MESSAGE = "{\"id\":1234567,\"conversationId\":4711,\"seq\":52311,\"senderId\":42,"
            + "\"clientMsgId\":\"00000001-2f4b-4c8e-9a7d-3c5e6f708192\",\"body\":\"load 3f9c2a71 6f708192\","
            + "\"createdAt\":\"2026-11-26T15:49:27.123456Z\"}";
    private final String ackFrame = "{\"type\":\"ack\",\"clientMsgId\":\"00000001-2f4b-4c8e-9a7d-3c5e6f708192\","
            + "\"message\":" + MESSAGE + "}";
    private final String messageFrame = "{\"type\":\"message\",\"message\":" + MESSAGE + "}";
    /** Wrapped with an offset, as a slice of a larger buffer would be. */
    private final CharBuffer messageBuffer = CharBuffer.wrap(("xx" + messageFrame).toCharArray()).position(2).slice();
    private final SendFrame send = new SendFrame(4711, "00000001-2f4b-4c8e-9a7d-3c5e6f708192", "load 3f9c2a71 6f708192");

    @Benchmark
    public Object decodeAck() throws IOException {
        return StreamFrame.decode(ackFrame);
    }

    @Benchmark
    public Object decodeMessage() throws IOException {
        return StreamFrame.decode(messageFrame);
    }

    /** As a frame arrives from the JDK's WebSocket: parsed in place. */
    @Benchmark
    public Object decodeMessageFromCharBuffer() throws IOException {
        return StreamFrame.decode(messageBuffer.duplicate());
    }

    /** As it was before: the CharBuffer copied into a String first. */
    @Benchmark
    public Object decodeMessageFromCharBufferAsString() throws IOException {
        return StreamFrame.decode(messageBuffer.duplicate().toString());
    }

    @Benchmark
    public String encodeSend() {
        return send.toJson();
    }
}
