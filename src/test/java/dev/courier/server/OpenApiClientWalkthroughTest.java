package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.generatedclient.ApiException;
import dev.courier.generatedclient.api.AccountsApi;
import dev.courier.generatedclient.api.ConversationsApi;
import dev.courier.generatedclient.api.MessagesApi;
import dev.courier.generatedclient.model.Conversation;
import dev.courier.generatedclient.model.CreateConversationRequest;
import dev.courier.generatedclient.model.History200Response;
import dev.courier.generatedclient.model.LoginRequest;
import dev.courier.generatedclient.model.Message;
import dev.courier.generatedclient.model.RegisterRequest;
import dev.courier.generatedclient.model.SendMessageRequest;
import dev.courier.generatedclient.model.Session;
import dev.courier.generatedclient.model.User;
import dev.courier.testing.ApiClient;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that no one here wrote: openapi-generator's Java client, generated from openapi.yaml at build time
 * (pom.xml, into target/generated-test-sources), walks through a conversation against a real server.
 */
@ExtendWith(TestServerExtension.class)
class OpenApiClientWalkthroughTest {

    @SharedServer
    private static TestServer server;

    @Test
    void theGeneratedClientRegistersLogsInOpensAConversationSendsAndReadsTheHistory() throws ApiException {
        String ada = ApiClient.uniqueUsername("ada");
        String bob = ApiClient.uniqueUsername("bob");
        AccountsApi anonymous = new AccountsApi(client(null));

        User adaUser = anonymous.register(new RegisterRequest().username(ada).password(ApiClient.PASSWORD)
                .displayName("Ada"));
        User bobUser = anonymous.register(new RegisterRequest().username(bob).password(ApiClient.PASSWORD));
        Session adaSession = anonymous.login(new LoginRequest().username(ada).password(ApiClient.PASSWORD));
        Session bobSession = anonymous.login(new LoginRequest().username(bob).password(ApiClient.PASSWORD));

        assertThat(adaUser.getDisplayName()).isEqualTo("Ada");
        assertThat(new AccountsApi(client(adaSession.getToken())).me().getId()).isEqualTo(adaUser.getId());

        Conversation direct = new ConversationsApi(client(adaSession.getToken())).createConversation(
                new CreateConversationRequest().type(CreateConversationRequest.TypeEnum.DIRECT)
                        .members(List.of(bobUser.getId())));
        assertThat(direct.getMembers()).extracting(User::getUsername).containsExactlyInAnyOrder(ada, bob);

        MessagesApi adaMessages = new MessagesApi(client(adaSession.getToken()));
        UUID clientMsgId = UUID.randomUUID();
        Message sent = adaMessages.sendMessage(direct.getId(), new SendMessageRequest().clientMsgId(clientMsgId)
                .body("Hello from a generated client"));
        adaMessages.sendMessage(direct.getId(), new SendMessageRequest().clientMsgId(UUID.randomUUID())
                .body("and a reply to it").replyTo(sent.getSeq()));

        History200Response history = new MessagesApi(client(bobSession.getToken()))
                .history(direct.getId(), 0L, null, null, 50);
        assertThat(history.getHasMore()).isFalse();
        assertThat(history.getMessages()).extracting(Message::getBody)
                .containsExactly("Hello from a generated client", "and a reply to it");
        assertThat(history.getMessages().get(0).getClientMsgId()).isEqualTo(clientMsgId);
        assertThat(history.getMessages().get(1).getReplyTo()).isEqualTo(sent.getSeq());

        // and an error, in the shape the document gives it
        assertThatThrownBy(() -> new MessagesApi(client("not-a-token")).history(direct.getId(), 0L, null, null, 50))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(401);
                    assertThat(e.getResponseBody()).contains("\"code\":\"unauthorized\"", "\"traceId\"");
                });
    }

    private static dev.courier.generatedclient.ApiClient client(String token) {
        dev.courier.generatedclient.ApiClient client = new dev.courier.generatedclient.ApiClient();
        client.updateBaseUri(server.baseUrl());
        if (token != null) {
            client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
        }
        return client;
    }
}
