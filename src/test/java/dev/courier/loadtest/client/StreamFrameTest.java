package dev.courier.loadtest.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.loadtest.client.StreamFrame.DeliveredMessage;
import dev.courier.web.Json;
import java.io.IOException;
import java.nio.CharBuffer;
import org.junit.jupiter.api.Test;

/** The load tester's own codec for {@code /v1/stream}: it streams through frames instead of building trees. */
class StreamFrameTest {

    private static final String MESSAGE = """
            {"id":41,"conversationId":7,"seq":3,"senderId":2,"clientMsgId":"0b7c1f0e-9a39-4f1e-8a3c-4a4b3d2e1f00",\
            "body":"hi {\\"seq\\":99}","createdAt":"2026-05-01T04:22:01.123456Z"}""";
    private static final DeliveredMessage DELIVERED =
            new DeliveredMessage(41, 7, 3, 2, "0b7c1f0e-9a39-4f1e-8a3c-4a4b3d2e1f00");

    @Test
    void readsTheFieldsTheLedgerChecksFromAMessageFrame() throws IOException {
        assertThat(StreamFrame.decode("{\"type\":\"message\",\"message\":" + MESSAGE + "}"))
                .isEqualTo(new StreamFrame.Message(DELIVERED));
    }

    @Test
    void readsAFrameInPlaceFromASliceOfALargerCharBufferAsTheJdkWebSocketHandsIt() throws IOException {
        String frame = "{\"type\":\"message\",\"message\":" + MESSAGE + "}";
        CharBuffer slice = CharBuffer.wrap(("{\"type\":\"pong\"}" + frame + "{\"x\":1}").toCharArray())
                .position(15).limit(15 + frame.length()).slice();

        assertThat(StreamFrame.decode(slice)).isEqualTo(new StreamFrame.Message(DELIVERED));
        assertThat(StreamFrame.decode(CharBuffer.wrap(new StringBuilder(frame))))
                .as("a buffer without an array, through a String").isEqualTo(new StreamFrame.Message(DELIVERED));
    }

    @Test
    void readsAnAckWhateverTheOrderOfItsFields() throws IOException {
        assertThat(StreamFrame.decode("{\"message\":" + MESSAGE + ",\"clientMsgId\":\"c-1\",\"type\":\"ack\"}"))
                .isEqualTo(new StreamFrame.Ack("c-1", DELIVERED));
    }

    @Test
    void readsTheCodeAndRetryAfterOfAnErrorAndItsMissingClientMsgId() throws IOException {
        assertThat(StreamFrame.decode("""
                {"type":"error","clientMsgId":null,"error":{"code":"rate_limited","message":"slow down",\
                "retryAfter":3}}"""))
                .isEqualTo(new StreamFrame.Error(null, "rate_limited", 3));
        assertThat(StreamFrame.decode("{\"type\":\"error\",\"clientMsgId\":\"c-2\",\"error\":{\"code\":\"overloaded\"}}"))
                .as("no retryAfter").isEqualTo(new StreamFrame.Error("c-2", "overloaded", 0));
        assertThat(StreamFrame.decode("{\"error\":{\"retryAfter\":1,\"code\":\"unavailable\"},\"type\":\"error\"}"))
                .isEqualTo(new StreamFrame.Error(null, "unavailable", 1));
    }

    @Test
    void skipsFramesAndFieldsItDoesNotActOn() throws IOException {
        assertThat(StreamFrame.decode("{\"type\":\"ready\",\"userId\":7}")).isEqualTo(new StreamFrame.Ready(7));
        assertThat(StreamFrame.decode("""
                {"type":"conversation","conversation":{"id":7,"members":[{"id":1,"seq":5},{"id":2}],\
                "title":null}}"""))
                .isEqualTo(new StreamFrame.Other("conversation"));
        assertThat(StreamFrame.decode("{\"type\":\"read\",\"conversationId\":7,\"userId\":2,\"seq\":3}"))
                .isEqualTo(new StreamFrame.Other("read"));
    }

    @Test
    void refusesTextThatIsNotAJsonObject() {
        assertThatThrownBy(() -> StreamFrame.decode("[1,2]")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> StreamFrame.decode("{\"type\":\"ack\",")).isInstanceOf(IOException.class);
    }

    @Test
    void aSendFrameIsTheJsonThatTheContractDescribes() throws IOException {
        String body = "load \"quoted\" \\ é \u2603 \n";

        JsonNode sent = Json.mapper().readTree(new SendFrame(7, "c-3", body).toJson());

        assertThat(sent.path("type").asText()).isEqualTo("send");
        assertThat(sent.path("conversationId").asLong()).isEqualTo(7);
        assertThat(sent.path("clientMsgId").asText()).isEqualTo("c-3");
        assertThat(sent.path("body").asText()).isEqualTo(body);
        assertThat(sent.size()).isEqualTo(4);
    }
}
