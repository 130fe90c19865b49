package dev.courier.loadtest.client;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.courier.web.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** The client-to-server {@code send} frame of {@code /v1/stream}: exactly a {@code POST .../messages}. */
public record SendFrame(long conversationId, String clientMsgId, String body) {

    /**
     * The frame's JSON text, written field by field: the load tester sends hundreds a second from the cores the
     * server runs on, and a generator costs a fraction of serialising a map.
     */
    public String toJson() {
        StringWriter text = new StringWriter(80 + clientMsgId.length() + body.length());
        try (JsonGenerator g = Json.mapper().createGenerator(text)) {
            g.writeStartObject();
            g.writeStringField("type", "send");
            g.writeNumberField("conversationId", conversationId);
            g.writeStringField("clientMsgId", clientMsgId);
            g.writeStringField("body", body);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return text.toString();
    }
}
