package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.client.StreamConnection;
import dev.courier.loadtest.client.VirtualUser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The chatter beside a run's sends ({@link LoadOptions.Chatter}): typists who send a {@code typing} frame every 3 s,
 * and streams that close and open again, each on a schedule of its own, on virtual threads, from the start of the
 * load until {@link #close()}; when the chatter alternates, only in its windows.
 */
final class TypingAndReconnects implements AutoCloseable {

    /** The contract's pace for a client that keeps typing. */
    static final Duration TYPING_EVERY = Duration.ofSeconds(3);
    /** Frames a typist sends before another user takes its place. */
    static final int FRAMES_PER_TYPIST = 3;

    private final LoadOptions.Chatter chatter;
    private final List<VirtualUser> users;
    private final Map<Long, List<Long>> conversationsOf = new HashMap<>();
    private final UserStreams streams;
    private final ChatterCounts counts;
    private final Set<Long> reconnecting = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    /** When the load started, for {@link LoadOptions.Chatter#onAt}. */
    private long startNanos;
    private volatile boolean running = true;

    TypingAndReconnects(LoadOptions.Chatter chatter, LoadPopulation population, UserStreams streams,
                        ChatterCounts counts) {
        this.chatter = chatter;
        this.users = population.users;
        this.streams = streams;
        this.counts = counts;
        for (LoadConversation c : population.conversations) {
            for (VirtualUser member : c.members()) {
                conversationsOf.computeIfAbsent(member.id(), k -> new ArrayList<>()).add(c.id());
            }
        }
    }

    /** Starts the typing and the reconnects on the schedule of the load, which started at {@code startNanos}. */
    void start(long loadStartNanos) {
        this.startNanos = loadStartNanos;
        counts.loadStarted();
        int typists = (int) Math.round(users.size() * chatter.typingShare());
        if (chatter.typingShare() > 0) {
            threads.add(Thread.ofVirtual().name("loadtest-typing").start(() -> type(Math.max(1, typists))));
        }
        double perMinute = users.size() * chatter.reconnectShare();
        if (perMinute > 0) {
            threads.add(Thread.ofVirtual().name("loadtest-reconnects").start(() -> reconnect(perMinute)));
        }
    }

    /**
     * Keeps {@code typists} users typing: slot {@code i} sends at {@code i / typists} of each 3 s period, so the
     * frames come evenly spread; a typist's conversation is one of its own, and after a few frames another user
     * takes the slot.
     */
    private void type(int typists) {
        Random random = new Random();
        long periodNanos = TYPING_EVERY.toNanos();
        long stepNanos = periodNanos / typists;
        VirtualUser[] typist = new VirtualUser[typists];
        long[] conversation = new long[typists];
        int[] sent = new int[typists];
        long next = System.nanoTime();
        for (long step = 0; running; step++) {
            int slot = (int) (step % typists);
            if (typist[slot] == null || sent[slot] >= FRAMES_PER_TYPIST) {
                typist[slot] = users.get(random.nextInt(users.size()));
                List<Long> own = conversationsOf.getOrDefault(typist[slot].id(), List.of());
                conversation[slot] = own.isEmpty() ? -1 : own.get(random.nextInt(own.size()));
                sent[slot] = 0;
            }
            StreamConnection stream = streams.of(typist[slot]);
            if (stream != null && conversation[slot] > 0 && on()) {
                stream.sendTyping(conversation[slot]);
                counts.typingSent.increment();
            }
            sent[slot]++;
            next += stepNanos;
            if (!sleepUntil(next)) {
                return;
            }
        }
    }

    /** Starts a reconnect of a random user every minute / {@code perMinute}, each on a thread of its own. */
    private void reconnect(double perMinute) {
        Random random = new Random();
        long stepNanos = (long) (TimeUnit.MINUTES.toNanos(1) / perMinute);
        long next = System.nanoTime() + stepNanos;
        while (running && sleepUntil(next)) {
            VirtualUser user = users.get(random.nextInt(users.size()));
            if (on() && reconnecting.add(user.id())) {
                threads.add(Thread.ofVirtual().name("loadtest-reconnect").start(() -> {
                    try {
                        if (streams.reconnect(user, chatter.reconnectPause())) {
                            counts.reconnects.increment();
                        } else {
                            counts.reconnectFailures.increment();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        reconnecting.remove(user.id());
                        threads.remove(Thread.currentThread());
                    }
                }));
            }
            next += stepNanos;
        }
    }

    private boolean on() {
        return chatter.onAt(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /** False once the run is over. */
    private boolean sleepUntil(long nanoTime) {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return running;
    }

    /** Stops the typing and the reconnects, and waits for the reconnects under way to end. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread thread : List.copyOf(threads)) {
            thread.interrupt();
        }
        for (Thread thread : List.copyOf(threads)) {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        }
    }
}
