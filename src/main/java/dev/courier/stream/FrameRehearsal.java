package dev.courier.stream;

import dev.courier.messages.Message;
import dev.courier.web.Json;
import java.util.UUID;

/**
 * The stream's frame codecs and the REST body of a message, run on a sample before the node is ready: the first
 * frames of a cold node otherwise pay for Jackson building its serializers and the JIT for having seen none of it.
 */
public final class FrameRehearsal {

    private FrameRehearsal() {
    }

    /** Encodes and decodes each kind of frame a send involves, {@code times} times. */
    public static void run(Message sample, int times) {
        for (int i = 0; i < times; i++) {
            ServerFrame.encode(new ServerFrame.MessageFrame(sample));
            ServerFrame.encode(new ServerFrame.Ack(sample.clientMsgId().toString(), sample));
            ServerFrame.encode(new ServerFrame.Read(sample.conversationId(), sample.senderId(), sample.seq()));
            ServerFrame.encode(new ServerFrame.Pong());
            ClientFrame.decode("{\"type\":\"send\",\"conversationId\":" + sample.conversationId()
                    + ",\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"body\":\"warm-up\"}");
            ClientFrame.decode("{\"type\":\"read\",\"conversationId\":1,\"seq\":1}");
            ClientFrame.decode("{\"type\":\"ping\"}");
            Json.write(sample);
        }
    }
}
