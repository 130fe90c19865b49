package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadSetupException;
import dev.courier.loadtest.client.ApiResponse;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The run's requests over REST without a thread per request: Jetty's client writes each request and hands the
 * answer to a callback, over at most one kept-alive connection per virtual user, as an app keeps one to its server.
 * A blocking client holds a thread and a connection for every request in flight, so past the server's capacity,
 * when answers slow down, it opens ever more connections and spends the cores the server needs on its own
 * bookkeeping, and the run measures the generator instead of the server. Setup and the run's other calls keep
 * {@link dev.courier.loadtest.client.CourierClient}, the JDK's client, as a third-party client would use.
 *
 * <p>A request that finds every connection busy waits in the client's queue (bounded by the run's in-flight cap);
 * its latency counts from its intended time, so that wait is measured, not hidden.
 */
final class AsyncRest implements AutoCloseable {

    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    private final HttpClient http;
    private final URI base;
    private final long timeoutMillis;

    /**
     * @param connections kept-alive connections at most
     * @param queued      requests waiting for a connection at most
     */
    AsyncRest(URI base, int connections, int queued, Duration timeout) {
        this.base = base;
        this.timeoutMillis = timeout.toMillis();
        QueuedThreadPool threads = new QueuedThreadPool(8, 2);
        threads.setName("loadtest-rest");
        threads.setDaemon(true);
        this.http = new HttpClient();
        http.setExecutor(threads);
        http.setMaxConnectionsPerDestination(connections);
        http.setMaxRequestsQueuedPerDestination(queued);
        http.setConnectTimeout(5_000);
        http.setFollowRedirects(false);
        http.setUserAgentField(null);
        try {
            http.start();
            connect(connections);
        } catch (Exception e) {
            throw new LoadSetupException("could not start the HTTP client for the run's requests: " + e);
        }
    }

    /**
     * Opens the users' connections before the first request, as their apps would have, and with the first request
     * loads the client's classes: otherwise the run's first second measures the generator's cold start, and its
     * first requests wait for connections to be opened, in a burst the server then has to absorb.
     */
    private void connect(int connections) throws Exception {
        Request probe = http.newRequest(base.resolve("/health/live")).timeout(10, TimeUnit.SECONDS);
        probe.send();
        http.resolveDestination(probe).getConnectionPool().preCreateConnections(connections)
                .get(30, TimeUnit.SECONDS);
    }

    /**
     * Starts one request; the future completes with the answer, whatever its status, or fails with a
     * {@link SendFailure} when none came.
     */
    CompletableFuture<ApiResponse> call(HttpMethod method, String path, String token, String json) {
        CompletableFuture<ApiResponse> answer = new CompletableFuture<>();
        Request request = http.newRequest(base.resolve(path))
                .method(method)
                .headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + token))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS);
        if (json != null) {
            request.body(new StringRequestContent("application/json", json));
        }
        request.send(new BufferingResponseListener(MAX_ANSWER_BYTES) {
            @Override
            public void onComplete(Result outcome) {
                if (outcome.isFailed()) {
                    answer.completeExceptionally(failureOf(outcome.getFailure()));
                    return;
                }
                answer.complete(new ApiResponse(outcome.getResponse().getStatus(), getContentAsString(),
                        ApiResponse.retryAfterMillis(outcome.getResponse().getHeaders().get(HttpHeader.RETRY_AFTER))));
            }
        });
        return answer;
    }

    private static SendFailure failureOf(Throwable failure) {
        return switch (failure) {
            case TimeoutException t -> new SendFailure("timeout");
            case ConnectException c -> new SendFailure("connection refused");
            case RejectedExecutionException r -> new SendFailure("not sent: the load generator's queue was full");
            default -> new SendFailure("transport error");
        };
    }

    /** Answers still outstanding fail as the client stops; by then the pacer has waited for every request. */
    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            // a client of a finished run: nothing is left to count
        }
    }
}
