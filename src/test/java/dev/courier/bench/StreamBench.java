package dev.courier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.NodeProcess;
import dev.courier.testing.TestDatabase;
import dev.courier.web.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Measures what the stream costs on one node process: heap and RSS per idle connection, the time to fan one group
 * message out to N streams, and cross-node delivery latency at low load. Loopback only; every loop is bounded.
 *
 * <p>Run with {@code bench/stream.sh [N...]} (default 1000 10000).
 */
public final class StreamBench {

    private static final int GROUP_MEMBERS = 100;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0 ? new int[] {1_000, 10_000}
                : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        String database = TestDatabase.freshDatabase().jdbcUrl();
        // a benchmark registers a hundred users from one address and holds ~100 streams per user
        String[] options = {"--pool-size", "8", "--rate-limits", "off", "--max-streams-per-user", "1000"};
        try (NodeProcess node = NodeProcess.start(database, options);
             NodeProcess other = NodeProcess.start(database, options)) {
            ApiClient api = new ApiClient(node.baseUrl());
            List<TestUser> members = new ArrayList<>();
            int groupSize = Math.min(GROUP_MEMBERS, Arrays.stream(sizes).max().orElse(1));
            for (int i = 0; i < Math.max(2, groupSize); i++) {
                members.add(api.newUser("bench"));
            }
            long group = api.group(members.getFirst(), "bench",
                    members.subList(1, members.size()).toArray(TestUser[]::new));
            System.out.printf("node pid %d, group of %d members%n", node.pid(), members.size());

            for (int n : sizes) {
                idleAndFanOut(node, api, members, group, n);
            }
            crossNodeLatency(node, other, api, members, 300);
        }
        System.exit(0);
    }

    private static void idleAndFanOut(NodeProcess node, ApiClient api, List<TestUser> members, long group, int n)
            throws Exception {
        Memory before = Memory.of(node.pid());
        Map<Integer, Long> arrivals = new ConcurrentHashMap<>();
        AtomicReference<String> marker = new AtomicReference<>();
        CountDownLatch allArrived = new CountDownLatch(n);
        List<WebSocket> sockets = new ArrayList<>(n);
        Semaphore inFlight = new Semaphore(64);
        List<CompletableFuture<WebSocket>> opening = new ArrayList<>(n);
        long openStart = System.nanoTime();
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            int id = i;
            TestUser user = members.get(i % members.size());
            opening.add(HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + user.token())
                    .buildAsync(URI.create(node.baseUrl().replace("http", "ws") + "/v1/stream"),
                            new ArrivalListener(id, arrivals, allArrived, marker))
                    .whenComplete((ws, e) -> inFlight.release()));
        }
        for (CompletableFuture<WebSocket> f : opening) {
            sockets.add(f.get(60, TimeUnit.SECONDS));
        }
        double openSeconds = (System.nanoTime() - openStart) / 1e9;
        Thread.sleep(2_000);
        Memory after = Memory.of(node.pid());

        // One message first, so the measured one finds warm caches and code paths.
        api.sendMessage(members.get(1), group, "warm-up for " + n);
        Thread.sleep(3_000);
        marker.set("fan-out to " + n + "\"");
        long sentAt = System.nanoTime();
        ApiClient.Response sent = api.sendMessage(members.get(1), group, "fan-out to " + n);
        if (sent.status() != 201) {
            throw new IllegalStateException("send failed: " + sent);
        }
        boolean complete = allArrived.await(60, TimeUnit.SECONDS);
        long[] latencies = arrivals.values().stream().mapToLong(t -> t - sentAt).sorted().toArray();
        System.out.printf("N=%d: opened in %.1f s; heap %.1f KiB/conn, RSS %.1f KiB/conn (heap %d->%d MiB, RSS %d->%d MiB)%n",
                n, openSeconds, (after.heap - before.heap) / 1024.0 / n, (after.rss - before.rss) / 1024.0 / n,
                before.heap >> 20, after.heap >> 20, before.rss >> 20, after.rss >> 20);
        System.out.printf("N=%d: fan-out of one group message: %s streams reached; first %.1f ms, median %.1f ms, "
                        + "last %.1f ms after the send began%n", n, complete ? "all " + n : latencies.length + " of " + n,
                latencies[0] / 1e6, latencies[latencies.length / 2] / 1e6, latencies[latencies.length - 1] / 1e6);
        for (WebSocket socket : sockets) {
            socket.abort();
        }
        Thread.sleep(3_000);
    }

    private static void crossNodeLatency(NodeProcess sendNode, NodeProcess receiveNode, ApiClient api,
                                         List<TestUser> members, int count) throws Exception {
        TestUser sender = members.get(0);
        TestUser receiver = members.get(1);
        long conversation = api.direct(sender, receiver);
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
        Histogram ackLatency = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
        Map<String, Long> ackPending = new ConcurrentHashMap<>();
        CountDownLatch received = new CountDownLatch(count);
        WebSocket in = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + receiver.token())
                .buildAsync(URI.create(receiveNode.baseUrl().replace("http", "ws") + "/v1/stream"),
                        new WholeFrames() {
                            @Override
                            void onFrame(String text) {
                                long now = System.nanoTime();
                                JsonNode frame = read(text);
                                if (frame.path("type").asText().equals("message")) {
                                    Long at = sentAt.remove(frame.path("message").path("body").asText());
                                    if (at != null) {
                                        latency.recordValue(Math.min((now - at) / 1_000, latency.getHighestTrackableValue()));
                                        received.countDown();
                                    }
                                }
                            }
                        }).get(10, TimeUnit.SECONDS);
        Map<String, Integer> answers = new ConcurrentHashMap<>();
        WebSocket out = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + sender.token())
                .buildAsync(URI.create(sendNode.baseUrl().replace("http", "ws") + "/v1/stream"),
                        new WholeFrames() {
                            @Override
                            void onFrame(String text) {
                                long now = System.nanoTime();
                                JsonNode frame = read(text);
                                String type = frame.path("type").asText();
                                if (type.equals("ack")) {
                                    Long at = ackPending.remove(frame.path("message").path("body").asText());
                                    if (at != null) {
                                        ackLatency.recordValue(Math.min((now - at) / 1_000, ackLatency.getHighestTrackableValue()));
                                    }
                                }
                                if (type.equals("error")) {
                                    System.out.println("send failed: " + text);
                                }
                                answers.merge(type, 1, Integer::sum);
                            }

                            @Override
                            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                                System.out.println("sending stream closed: " + code + " " + reason);
                                return null;
                            }

                            @Override
                            public void onError(WebSocket ws, Throwable error) {
                                System.out.println("sending stream failed: " + error);
                            }
                        }).get(10, TimeUnit.SECONDS);
        Thread.sleep(500);
        for (int i = 0; i < count; i++) {
            String body = "latency " + i;
            long now = System.nanoTime();
            sentAt.put(body, now);
            ackPending.put(body, now);
            out.sendText(Json.write(Map.of("type", "send", "conversationId", conversation,
                    "clientMsgId", UUID.randomUUID().toString(), "body", body)), true).join();
            Thread.sleep(50); // 20 messages per second: low load
        }
        received.await(30, TimeUnit.SECONDS);
        System.out.println("frames on the sending stream: " + answers);
        System.out.printf("ack on node 1 (send -> committed -> ack): p50 %.2f ms, p99 %.2f ms%n",
                ackLatency.getValueAtPercentile(50) / 1e3, ackLatency.getValueAtPercentile(99) / 1e3);
        System.out.printf("cross-node delivery (socket send on node 1 -> message frame on node 2), %d messages at 20/s: "
                        + "p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", latency.getTotalCount(),
                latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
                latency.getMaxValue() / 1e3);
        in.abort();
        out.abort();
    }

    private static JsonNode read(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A listener that sees whole text frames: the JDK client may hand one frame over in several parts. */
    private abstract static class WholeFrames implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        abstract void onFrame(String text);

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                onFrame(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }

    /** Records when the frame holding {@code marker} reached this stream. */
    private static final class ArrivalListener extends WholeFrames {
        private final int id;
        private final Map<Integer, Long> arrivals;
        private final CountDownLatch allArrived;
        private final AtomicReference<String> marker;

        ArrivalListener(int id, Map<Integer, Long> arrivals, CountDownLatch allArrived, AtomicReference<String> marker) {
            this.id = id;
            this.arrivals = arrivals;
            this.allArrived = allArrived;
            this.marker = marker;
        }

        @Override
        void onFrame(String text) {
            long now = System.nanoTime();
            String wanted = marker.get();
            if (wanted != null && text.contains(wanted) && arrivals.putIfAbsent(id, now) == null) {
                allArrived.countDown();
            }
        }
    }

    /** Heap in use after a full GC (through jcmd) and resident set size, of a process. */
    private record Memory(long heap, long rss) {
        static Memory of(long pid) throws IOException, InterruptedException {
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            new ProcessBuilder(jcmd, String.valueOf(pid), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
            Process heapInfo = new ProcessBuilder(jcmd, String.valueOf(pid), "GC.heap_info").redirectErrorStream(true).start();
            String info = new String(heapInfo.getInputStream().readAllBytes());
            heapInfo.waitFor(30, TimeUnit.SECONDS);
            long heap = 0;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
            if (m.find()) {
                heap = Long.parseLong(m.group(1)) * 1024;
            }
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
                }
            }
            return new Memory(heap, rss);
        }
    }
}
