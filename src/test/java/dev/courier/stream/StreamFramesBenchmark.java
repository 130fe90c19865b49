package dev.courier.stream;

import dev.courier.messages.Message;
import java.time.Instant;
import java.util.UUID;
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
 * The JSON work the server does per message on {@code /v1/stream}: decoding the sender's {@code send} frame, and
 * encoding the sender's {@code ack} and the {@code message} frame every member's socket gets (encoded once per
 * message, whatever the number of sockets). The frames are the load tester's, so the figures compare with the
 * server's CPU per message in {@code bench/cpu-per-message.sh}. Run with {@code bench/jmh.sh StreamFrames}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class StreamFramesBenchmark {

    private static final UUID CLIENT_MSG_ID = UUID.fromString("00000001-2f4b-4c8e-9a7d-3c5e6f708192");
    private static final String BODY = "load 3f9c2a71 6f708192";

    private final String sendFrame = "{\"type\":\"send\",\"conversationId\":4711,\"clientMsgId\":\"" + CLIENT_MSG_ID
            + "\",\"body\":\"" + BODY + "\"}";
    private final Message message = new Message(1_234_567, 4711, 52_311, 42, CLIENT_MSG_ID, BODY,
            Instant.parse("2026-11-26T15:49:27.123456Z"));
    private final ServerFrame ack = new ServerFrame.Ack(CLIENT_MSG_ID.toString(), message);
    private final ServerFrame delivery = new ServerFrame.MessageFrame(message);

    @Benchmark
    public Object decodeSend() {
        return ClientFrame.decode(sendFrame);
    }

    @Benchmark
    public String encodeAck() {
        return ServerFrame.encode(ack);
    }

    @Benchmark
    public String encodeMessage() {
        return ServerFrame.encode(delivery);
    }
}
