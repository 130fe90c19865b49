package dev.courier.loadtest;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One load run, validated once. Every bound is explicit: the run stops by itself after {@code duration} or
 * {@code maxMessages}, whichever comes first, and waits at most {@code drain} for late deliveries.
 *
 * @param rate         base arrival rate in messages per second (the ramp's first step)
 * @param groupShare   share of conversations that are groups (the rest are direct)
 * @param busyGroup    one group that takes a share of all sends, to see whether it slows the other conversations
 * @param changes      the shares of arrivals that edit or react to a message sent before, instead of sending one
 * @param sloP99       the latency objective for p99 (send to delivered, or send to ack when delivery is not measured)
 * @param maxErrorRate the highest share of failed sends that still meets the objective (0.001 = 0.1%)
 * @param chatter      typing and reconnects beside the sends
 * @param storm        the streams {@code --scenario storm} opens at once
 * @param soak         how often {@code --scenario soak} drills, and for how long
 */
public record LoadOptions(
        URI url,
        boolean allowRemote,
        Scenario scenario,
        Transport transport,
        double rate,
        Duration duration,
        long maxMessages,
        int users,
        double groupShare,
        int groupSize,
        BusyGroup busyGroup,
        ChangeMix changes,
        Duration sloP99,
        double maxErrorRate,
        Duration rampStep,
        double rampFactor,
        double leakRate,
        Optional<String> adminToken,
        Duration drain,
        Optional<Path> jsonReport,
        Optional<Path> htmlReport,
        Chatter chatter,
        boolean echo,
        Duration streamLiveness,
        Storm storm,
        Soak soak) {

    public static final Duration MAX_DURATION = Duration.ofHours(24);
    public static final long MAX_MESSAGES = 50_000_000;
    /** Sends in flight at once; beyond it the pacer waits, and the wait shows up as latency (intended time). */
    public static final int MAX_IN_FLIGHT = 4096;

    /**
     * One extra group of {@code size} members (the first users) that gets {@code share} of every send; the other
     * sends go round the other conversations as usual. {@link #NONE} when {@code share} is 0.
     */
    public record BusyGroup(double share, int size) {
        public static final int DEFAULT_SIZE = 20;
        public static final BusyGroup NONE = new BusyGroup(0, DEFAULT_SIZE);

        public BusyGroup {
            if (!(share >= 0 && share < 1)) {
                throw new IllegalArgumentException("--busy-group-share must be at least 0 and below 1, got " + share);
            }
        }

        public boolean present() {
            return share > 0;
        }
    }

    /**
     * The shares of a run's arrivals (each at its intended time, like a send) that change a message the run sent
     * before instead of sending a new one: an edit by the message's sender, or a member's reaction, given or taken
     * back in turn so that each one is a change. {@link #NONE} when both are 0. Changes go over REST whatever the
     * transport: the stream has no frame for them.
     */
    public record ChangeMix(double editShare, double reactShare) {
        public static final ChangeMix NONE = new ChangeMix(0, 0);

        /** What an arrival is. */
        public enum Kind { SEND, EDIT, REACT }

        public ChangeMix {
            if (!(editShare >= 0 && editShare < 1)) {
                throw new IllegalArgumentException("--edit-share must be at least 0 and below 1, got " + editShare);
            }
            if (!(reactShare >= 0 && reactShare < 1)) {
                throw new IllegalArgumentException("--react-share must be at least 0 and below 1, got " + reactShare);
            }
            if (editShare + reactShare >= 1) {
                throw new IllegalArgumentException("--edit-share and --react-share must leave a share for sends");
            }
        }

        public boolean present() {
            return editShare + reactShare > 0;
        }

        /**
         * What arrival {@code n} (from 0) is. Of the first n arrivals, {@code floor(n * (editShare + reactShare))} are
         * changes, spread evenly so that they follow the run's rate profile, and of the first c changes
         * {@code floor(c * editShare / (editShare + reactShare))} are edits, likewise.
         */
        public Kind kindOf(long n) {
            double changeShare = editShare + reactShare;
            if (!present() || Math.floor((n + 1) * changeShare) <= Math.floor(n * changeShare)) {
                return Kind.SEND;
            }
            long c = (long) Math.floor(n * changeShare);
            double editsOfChanges = editShare / changeShare;
            return Math.floor((c + 1) * editsOfChanges) > Math.floor(c * editsOfChanges) ? Kind.EDIT : Kind.REACT;
        }
    }

    /**
     * The chattiest traffic of a messaging service, beside the sends: people typing, and streams that drop and come
     * back. {@link #NONE} when both shares are 0.
     *
     * @param typingShare    the share of the users typing at any moment: each typist sends a {@code typing} frame
     *                       every 3 s (as often as the contract lets a client) in one of its conversations, three
     *                       times, and then another user takes its place
     * @param reconnectShare the share of the users whose stream closes and opens again, each minute
     * @param reconnectPause how long a reconnecting user stays away: within the server's grace nobody sees it go,
     *                       beyond it the others see it go offline and come back
     * @param alternate      zero for chatter all the run long; otherwise it is off for this long, then on for as long,
     *                       and so on, so that one run (one population, one warm server) shows the sends with and
     *                       without it side by side
     */
    public record Chatter(double typingShare, double reconnectShare, Duration reconnectPause, Duration alternate) {
        public static final Chatter NONE = new Chatter(0, 0, Duration.ofSeconds(1), Duration.ZERO);

        public Chatter {
            if (!(typingShare >= 0 && typingShare <= 1)) {
                throw new IllegalArgumentException("--typing-share must be between 0% and 100%, got " + typingShare);
            }
            if (!(reconnectShare >= 0 && reconnectShare <= 1)) {
                throw new IllegalArgumentException("--reconnect-share must be between 0% and 100% (per minute), got "
                        + reconnectShare);
            }
            if (reconnectPause.isNegative() || reconnectPause.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("--reconnect-pause must be between 0s and 5m");
            }
            if (!alternate.isZero() && (alternate.compareTo(Duration.ofSeconds(10)) < 0
                    || alternate.compareTo(Duration.ofHours(1)) > 0)) {
                throw new IllegalArgumentException("--chatter-alternate must be 0s or between 10s and 1h, got " + alternate);
            }
        }

        /** Whether the chatter is on at {@code elapsed} into the load. */
        public boolean onAt(Duration elapsed) {
            return alternate.isZero() || (elapsed.toNanos() / alternate.toNanos()) % 2 == 1;
        }

        public boolean present() {
            return typingShare > 0 || reconnectShare > 0;
        }
    }

    /** A run whose streams are not watched for silence ({@link #withStreamLiveness}). */
    public LoadOptions(URI url, boolean allowRemote, Scenario scenario, Transport transport, double rate,
                       Duration duration, long maxMessages, int users, double groupShare, int groupSize,
                       BusyGroup busyGroup, ChangeMix changes, Duration sloP99, double maxErrorRate, Duration rampStep,
                       double rampFactor, double leakRate, Optional<String> adminToken, Duration drain,
                       Optional<Path> jsonReport, Optional<Path> htmlReport, Chatter chatter, boolean echo) {
        this(url, allowRemote, scenario, transport, rate, duration, maxMessages, users, groupShare, groupSize,
                busyGroup, changes, sloP99, maxErrorRate, rampStep, rampFactor, leakRate, adminToken, drain,
                jsonReport, htmlReport, chatter, echo, Duration.ZERO, Storm.NONE, Soak.DEFAULT);
    }

    /**
     * What {@code --scenario storm} does a third into the run, while the users keep sending: {@code streams} more
     * streams of the run's users (round the users, so several devices each), opened at moments spread evenly over
     * {@code window} (all at once when it is zero), as every client of a node does when the node restarts or a balancer
     * fails over. Each is retried as a polite client does until it is ready or the run ends.
     */
    public record Storm(int streams, Duration window) {
        public static final Storm NONE = new Storm(1_000, Duration.ZERO);
        public static final int MAX_STREAMS = 50_000;

        public Storm {
            if (streams < 1 || streams > MAX_STREAMS) {
                throw new IllegalArgumentException("--storm-streams must be between 1 and " + MAX_STREAMS + ", got "
                        + streams);
            }
            if (window.isNegative() || window.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("--storm-window must be between 0s and 1m, got " + window);
            }
        }
    }

    /**
     * What {@code --scenario soak} does beside its steady load: every {@code drillEvery} a drill of {@code drillLength},
     * a leak and a database outage in turn, each switched through {@code /v1/admin/faults} and judged on its own.
     */
    public record Soak(Duration drillEvery, Duration drillLength) {
        public static final Soak DEFAULT = new Soak(Duration.ofMinutes(10), Duration.ofSeconds(30));

        public Soak {
            if (drillEvery.compareTo(Duration.ofSeconds(5)) < 0 || drillEvery.compareTo(Duration.ofHours(6)) > 0) {
                throw new IllegalArgumentException("--drill-every must be between 5s and 6h, got " + drillEvery);
            }
            if (drillLength.compareTo(Duration.ofSeconds(1)) < 0
                    || drillLength.compareTo(drillEvery.dividedBy(2)) > 0) {
                throw new IllegalArgumentException("--drill-length must be between 1s and half of --drill-every, got "
                        + drillLength);
            }
        }
    }

    /** The same run with {@code soak} as what {@code --scenario soak} drills. */
    public LoadOptions withSoak(Soak soak) {
        return new LoadOptions(url, allowRemote, scenario, transport, rate, duration, maxMessages, users, groupShare,
                groupSize, busyGroup, changes, sloP99, maxErrorRate, rampStep, rampFactor, leakRate, adminToken, drain,
                jsonReport, htmlReport, chatter, echo, streamLiveness, storm, soak);
    }

    /** A run whose streams get the contract's echo of their own sends. */
    public LoadOptions(URI url, boolean allowRemote, Scenario scenario, Transport transport, double rate,
                       Duration duration, long maxMessages, int users, double groupShare, int groupSize,
                       BusyGroup busyGroup, ChangeMix changes, Duration sloP99, double maxErrorRate, Duration rampStep,
                       double rampFactor, double leakRate, Optional<String> adminToken, Duration drain,
                       Optional<Path> jsonReport, Optional<Path> htmlReport, Chatter chatter) {
        this(url, allowRemote, scenario, transport, rate, duration, maxMessages, users, groupShare, groupSize,
                busyGroup, changes, sloP99, maxErrorRate, rampStep, rampFactor, leakRate, adminToken, drain,
                jsonReport, htmlReport, chatter, true);
    }

    /**
     * The same run with streams opened with {@code echo} ({@code false}: {@code /v1/stream?echo=false}, where a
     * socket send's ack is the sending stream's copy of the message).
     */
    public LoadOptions withEcho(boolean echo) {
        return new LoadOptions(url, allowRemote, scenario, transport, rate, duration, maxMessages, users, groupShare,
                groupSize, busyGroup, changes, sloP99, maxErrorRate, rampStep, rampFactor, leakRate, adminToken, drain,
                jsonReport, htmlReport, chatter, echo, streamLiveness, storm, soak);
    }

    /**
     * The same run with each stream watched as a client watches its own: one that has heard nothing for half of
     * {@code liveness} is sent a WebSocket ping, and one that has heard nothing, pong included, for all of it is
     * taken for broken and resumed like a stream whose node died. That is how a client notices a node that froze or
     * a network that went silent, which close no socket. Zero: streams are not watched.
     */
    public LoadOptions withStreamLiveness(Duration liveness) {
        return new LoadOptions(url, allowRemote, scenario, transport, rate, duration, maxMessages, users, groupShare,
                groupSize, busyGroup, changes, sloP99, maxErrorRate, rampStep, rampFactor, leakRate, adminToken, drain,
                jsonReport, htmlReport, chatter, echo, liveness, storm, soak);
    }

    /** The same run with {@code storm} as what {@code --scenario storm} opens. */
    public LoadOptions withStorm(Storm storm) {
        return new LoadOptions(url, allowRemote, scenario, transport, rate, duration, maxMessages, users, groupShare,
                groupSize, busyGroup, changes, sloP99, maxErrorRate, rampStep, rampFactor, leakRate, adminToken, drain,
                jsonReport, htmlReport, chatter, echo, streamLiveness, storm, soak);
    }

    /** A run without typing or reconnects. */
    public LoadOptions(URI url, boolean allowRemote, Scenario scenario, Transport transport, double rate,
                       Duration duration, long maxMessages, int users, double groupShare, int groupSize,
                       BusyGroup busyGroup, ChangeMix changes, Duration sloP99, double maxErrorRate, Duration rampStep,
                       double rampFactor, double leakRate, Optional<String> adminToken, Duration drain,
                       Optional<Path> jsonReport, Optional<Path> htmlReport) {
        this(url, allowRemote, scenario, transport, rate, duration, maxMessages, users, groupShare, groupSize,
                busyGroup, changes, sloP99, maxErrorRate, rampStep, rampFactor, leakRate, adminToken, drain,
                jsonReport, htmlReport, Chatter.NONE);
    }

    /** A run of sends alone: no edits or reactions, no typing or reconnects. */
    public LoadOptions(URI url, boolean allowRemote, Scenario scenario, Transport transport, double rate,
                       Duration duration, long maxMessages, int users, double groupShare, int groupSize,
                       BusyGroup busyGroup, Duration sloP99, double maxErrorRate, Duration rampStep, double rampFactor,
                       double leakRate, Optional<String> adminToken, Duration drain, Optional<Path> jsonReport,
                       Optional<Path> htmlReport) {
        this(url, allowRemote, scenario, transport, rate, duration, maxMessages, users, groupShare, groupSize,
                busyGroup, ChangeMix.NONE, sloP99, maxErrorRate, rampStep, rampFactor, leakRate, adminToken, drain,
                jsonReport, htmlReport, Chatter.NONE);
    }

    public LoadOptions {
        if (!streamLiveness.isZero() && (streamLiveness.compareTo(Duration.ofSeconds(2)) < 0
                || streamLiveness.compareTo(Duration.ofMinutes(1)) > 0)) {
            throw new IllegalArgumentException("--stream-liveness must be 0s or between 2s and 1m, got " + streamLiveness);
        }
        String scheme = url.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || url.getHost() == null) {
            throw new IllegalArgumentException("--url must be an http:// or https:// URL with a host, got " + url);
        }
        if (!allowRemote && !isLoopback(url.getHost())) {
            throw new IllegalArgumentException("--url " + url + " is not a loopback address; a load test against "
                    + "another machine needs --allow-remote");
        }
        if (!(rate > 0 && rate <= 1_000_000)) {
            throw new IllegalArgumentException("--rate must be above 0 and at most 1000000 per second, got " + rate);
        }
        if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("--duration must be between 1s and 24h, got " + duration);
        }
        if (maxMessages < 1 || maxMessages > MAX_MESSAGES) {
            throw new IllegalArgumentException("--max-messages must be between 1 and " + MAX_MESSAGES);
        }
        if (users < 2 || users > 10_000) {
            throw new IllegalArgumentException("--users must be between 2 and 10000, got " + users);
        }
        if (groupShare < 0 || groupShare > 1) {
            throw new IllegalArgumentException("--group-share must be between 0 and 1, got " + groupShare);
        }
        if (groupSize < 2 || groupSize > Math.min(users, 1000)) {
            throw new IllegalArgumentException("--group-size must be between 2 and min(--users, 1000), got " + groupSize);
        }
        if (busyGroup.present() && (busyGroup.size() < 2 || busyGroup.size() > Math.min(users, 1000))) {
            throw new IllegalArgumentException("--busy-group-size must be between 2 and min(--users, 1000), got "
                    + busyGroup.size());
        }
        if (sloP99.isNegative() || sloP99.isZero()) {
            throw new IllegalArgumentException("--slo-p99 must be positive");
        }
        if (maxErrorRate < 0 || maxErrorRate > 1) {
            throw new IllegalArgumentException("--max-error-rate must be between 0% and 100%");
        }
        if (rampStep.toMillis() < 1000) {
            throw new IllegalArgumentException("--ramp-step must be at least 1s");
        }
        if (!(rampFactor > 1 && rampFactor <= 10)) {
            throw new IllegalArgumentException("--ramp-factor must be above 1 and at most 10, got " + rampFactor);
        }
        if (leakRate <= 0 || leakRate > 1) {
            throw new IllegalArgumentException("--leak-rate must be above 0 and at most 1, got " + leakRate);
        }
        if (scenario.needsFaultInjection() && adminToken.isEmpty()) {
            throw new IllegalArgumentException("--scenario " + scenario.cliName() + " switches faults through "
                    + "/v1/admin/faults and needs --admin-token");
        }
        if (drain.isNegative() || drain.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("--drain must be between 0s and 5m");
        }
        if (chatter.reconnectShare() > 0 && transport == Transport.SOCKET) {
            // A user's sends go over its own stream: while it reconnects they would fail and count as errors.
            throw new IllegalArgumentException("--reconnect-share needs --transport rest: over the socket the sends "
                    + "of a reconnecting user would fail");
        }
    }

    static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The p99 objective in milliseconds. */
    public double sloP99Millis() {
        return sloP99.toNanos() / 1e6;
    }
}
