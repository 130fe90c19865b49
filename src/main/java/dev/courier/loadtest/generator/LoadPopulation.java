package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.LoadSetupException;
import dev.courier.loadtest.client.CourierClient;
import dev.courier.loadtest.client.VirtualUser;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;

/**
 * The virtual users of one run and their conversations, built through the contract: each user registers and
 * logs in, and the conversations are a mix of direct pairs and groups.
 */
final class LoadPopulation {

    /** Registrations run a few at a time: password hashing is deliberately expensive on the server. */
    private static final int SETUP_CONCURRENCY = 4;

    final String runId;
    final List<VirtualUser> users;
    /** Every conversation, the busy group included. */
    final List<LoadConversation> conversations;
    /** The busy group ({@link LoadOptions.BusyGroup}), or null when the run has none. */
    final LoadConversation busyGroup;
    /** Every conversation but the busy group. */
    final List<LoadConversation> others;

    private LoadPopulation(String runId, List<VirtualUser> users, List<LoadConversation> conversations,
                           LoadConversation busyGroup) {
        this.runId = runId;
        this.users = users;
        this.conversations = conversations;
        this.busyGroup = busyGroup;
        this.others = conversations.stream().filter(c -> c != busyGroup).toList();
    }

    static LoadPopulation create(CourierClient client, LoadOptions o) throws InterruptedException {
        String runId = runId();
        String password = "lt-" + runId + "-" + Long.toHexString(new SecureRandom().nextLong());
        List<VirtualUser> users = inParallel(o.users(), i -> client.register("lt" + runId + "-" + i, password));
        List<LoadConversation> wanted = plan(users, o.groupShare(), o.groupSize(), o.busyGroup());
        List<LoadConversation> opened = inParallel(wanted.size(), i -> {
            LoadConversation c = wanted.get(i);
            long id = c.type().equals("direct")
                    ? client.openDirect(c.members().get(0), c.members().get(1))
                    : client.openGroup(c.members().getFirst(), "load " + runId + " #" + i,
                    c.members().subList(1, c.members().size()));
            return new LoadConversation(id, c.type(), c.members());
        });
        // Two direct plans for one pair name the same conversation: keep it once.
        Map<Long, LoadConversation> unique = new LinkedHashMap<>();
        opened.forEach(c -> unique.putIfAbsent(c.id(), c));
        return new LoadPopulation(runId, users, List.copyOf(unique.values()),
                o.busyGroup().present() ? opened.getFirst() : null);
    }

    /**
     * About one conversation per two users: the first {@code groupShare} of them groups of {@code groupSize}
     * consecutive users, the rest direct pairs, so that every user is in some conversation. A busy group, when
     * there is one, comes first: the first {@code busyGroup.size()} users, who are in other conversations too.
     */
    static List<LoadConversation> plan(List<VirtualUser> users, double groupShare, int groupSize,
                                       LoadOptions.BusyGroup busyGroup) {
        int n = users.size();
        int count = Math.max(1, n / 2);
        int groups = (int) Math.round(count * groupShare);
        List<LoadConversation> plan = new ArrayList<>();
        if (busyGroup.present()) {
            plan.add(new LoadConversation(0, "group", List.copyOf(users.subList(0, busyGroup.size()))));
        }
        Set<String> pairs = new HashSet<>();
        for (int i = 0; i < count; i++) {
            if (i < groups) {
                List<VirtualUser> members = new ArrayList<>();
                for (int j = 0; j < groupSize; j++) {
                    members.add(users.get((i * groupSize + j) % n));
                }
                plan.add(new LoadConversation(0, "group", List.copyOf(members)));
            } else {
                VirtualUser a = users.get((2 * i) % n);
                VirtualUser b = users.get((2 * i + 1) % n);
                if (a.id() != b.id() && pairs.add(Math.min(a.id(), b.id()) + ":" + Math.max(a.id(), b.id()))) {
                    plan.add(new LoadConversation(0, "direct", List.of(a, b)));
                }
            }
        }
        return plan;
    }

    Map<Long, Set<Long>> membersByConversation() {
        return conversations.stream().collect(Collectors.toMap(LoadConversation::id,
                c -> c.members().stream().map(VirtualUser::id).collect(Collectors.toSet())));
    }

    /** Each user's conversations, by user id: what a resumed stream catches up on. */
    Map<Long, List<Long>> conversationsByUser() {
        Map<Long, List<Long>> byUser = new java.util.HashMap<>();
        for (LoadConversation c : conversations) {
            for (VirtualUser member : c.members()) {
                byUser.computeIfAbsent(member.id(), k -> new java.util.ArrayList<>()).add(c.id());
            }
        }
        return byUser;
    }

    @FunctionalInterface
    interface Step<T> {
        T run(int index) throws IOException, InterruptedException;
    }

    static <T> List<T> inParallel(int count, Step<T> step) throws InterruptedException {
        Semaphore permits = new Semaphore(SETUP_CONCURRENCY);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    permits.acquire();
                    try {
                        return step.run(index);
                    } finally {
                        permits.release();
                    }
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LoadSetupException setup) {
                throw setup;
            }
            throw new LoadSetupException("setting up the virtual users failed: " + e.getCause());
        }
    }

    /** Six base-36 characters: usernames of one run share a prefix no other run uses. */
    private static String runId() {
        String id = Long.toString(Math.abs(new SecureRandom().nextLong()), 36);
        return (id + "000000").substring(0, 6);
    }
}
