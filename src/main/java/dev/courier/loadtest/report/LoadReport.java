package dev.courier.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Everything a run found, as written to the JSON report (and drawn in the HTML one).
 *
 * @param verdict  {@code pass}, {@code fail} (an objective or an integrity check missed) or {@code incomplete}
 *                 (something the run should measure could not be measured, e.g. delivery without a stream)
 * @param warnings what makes the figures less than they seem without changing the verdict, such as a load
 *                 generator that fell behind its own schedule
 * @param soak     a soak's drills and resources; null for the other scenarios
 */
public record LoadReport(
        String scenario,
        String url,
        String transport,
        String startedAt,
        double durationSeconds,
        double baseRate,
        int users,
        int conversations,
        long attempted,
        long acked,
        long failed,
        double throughputPerSecond,
        double errorRate,
        Map<String, Long> errors,
        LatencySummary sendToAck,
        LatencySummary sendToDelivered,
        Refusals refusals,
        Opening opening,
        Delivery delivery,
        IntegrityReport integrity,
        Objectives objectives,
        Ramp ramp,
        Disturbance disturbance,
        BusyGroup busyGroup,
        Changes changes,
        Chatter chatter,
        Generator generator,
        List<AppliedFault> faults,
        List<Interval> timeline,
        String verdict,
        List<String> failures,
        List<String> warnings,
        SoakReport soak) {

    /**
     * This report with a soak's findings: a drill that did not hold or a resource that grew fails the run, and a soak
     * whose resources could not be judged at all leaves a passing run incomplete. {@code soakWarnings} go after the
     * run's own.
     */
    public LoadReport withSoak(SoakReport soak, List<String> soakWarnings) {
        List<String> soakFailures = new ArrayList<>();
        for (DrillVerdict d : soak.drills()) {
            if (!d.held()) {
                soakFailures.add("drill " + d.drill() + " at " + Figures.round(d.faultOnAt()) + " s did not hold: "
                        + String.join("; ", d.reasons()));
            }
        }
        boolean judged = false;
        for (SoakReport.Figure f : soak.flatness().figures()) {
            judged |= !f.verdict().startsWith("not judged");
            if (f.failed()) {
                soakFailures.add(String.format(Locale.ROOT,
                        "%s %s from %.1f to %.1f %s after the warm-up, beyond its tolerance of %.1f %s", f.name(),
                        f.verdict(), f.baseline(), f.end(), f.unit(), f.tolerance(), f.unit()));
            }
        }
        List<String> reasons = new ArrayList<>(soakFailures);
        reasons.addAll(failures);
        if (!judged) {
            reasons.add("the server's resources could not be judged: no samples of /metrics in the windows compared");
        }
        String soakVerdict = verdict.equals("fail") || !soakFailures.isEmpty() ? "fail"
                : verdict.equals("incomplete") || !judged ? "incomplete" : "pass";
        return new LoadReport(scenario, url, transport, startedAt, durationSeconds, baseRate, users, conversations,
                attempted, acked, failed, throughputPerSecond, errorRate, errors, sendToAck, sendToDelivered, refusals,
                opening, delivery, integrity, objectives, ramp, disturbance, busyGroup, changes, chatter, generator,
                faults, timeline, soakVerdict, List.copyOf(reasons),
                Stream.concat(warnings.stream(), soakWarnings.stream()).toList(), soak);
    }

    /**
     * Sends the server refused with "not now" ({@code 429}, {@code 503}: see {@code measure.RefusalTracker}); they
     * are among {@code failed} and in {@code errors} too.
     *
     * @param perSecond         refusals per second of the run
     * @param withoutRetryAfter refusals that did not say when to come back (no {@code Retry-After} over REST, no
     *                          {@code retryAfter} in the socket's error frame)
     * @param sendToRefusal     from each refused send's intended time to its refusal, as {@code sendToAck} for acks
     * @param sentToRefusal     from when it was actually sent: what is left without the generator's delay
     */
    public record Refusals(long count, double perSecond, long withoutRetryAfter, LatencySummary sendToRefusal,
                           LatencySummary sentToRefusal) {
    }

    /**
     * The run's first sends, where a cold server shows what a warm one's totals hide.
     *
     * @param sends           how many sends the opening holds (up to 100)
     * @param sendToDelivered null when deliveries were not measured
     */
    public record Opening(long sends, LatencySummary sendToAck, LatencySummary sendToDelivered) {
    }

    /** Whether send→delivered was measured; when it was not, why. */
    public record Delivery(boolean measured, String reason) {
    }

    /**
     * @param p99Basis which latency the p99 objective was judged on ({@code send-to-delivered} or {@code send-to-ack})
     * @param window   the part of the run the objectives were judged on
     */
    public record Objectives(double sloP99Ms, double maxErrorRate, String p99Basis, String window, double p99Ms,
                             double errorRate, boolean p99Met, boolean errorRateMet) {
    }

    /** @param highestPassingRate the highest step rate whose p99 and error rate met the objectives; 0 if none did */
    public record Ramp(double highestPassingRate, double sustainedThroughput, double p99AtHighestMs,
                       List<RampStep> steps) {
    }

    /**
     * @param generatorLateMs the worst per-second p99 of the load generator's own lateness in the step
     * @param p99FromSentMs   the step's p99 counted from the actual sends instead of the intended times, -1 when
     *                        not measured: what the server did without the generator's delay
     * @param hostStolen      the share of the host's CPU time its hypervisor gave to other machines in the step's
     *                        judged seconds (their mean), 0 to 1, -1 when unknown
     */
    public record RampStep(double targetRate, double throughput, double p99Ms, double errorRate, boolean passed,
                           double generatorLateMs, double p99FromSentMs, double hostStolen) {
    }

    /** The middle third of a spike, leak or outage run: the window and how the service did inside it. */
    public record Disturbance(double fromSecond, double toSecond, double availability, double p99Ms) {
    }

    /**
     * A run with a busy group: its figures and those of all the other conversations.
     *
     * @param share the share of all sends that went to the busy group
     */
    public record BusyGroup(long conversationId, int members, double share, BusyGroupSide busy,
                            BusyGroupSide others) {
    }

    /**
     * The typing and reconnects of a run that had them ({@code --typing-share}, {@code --reconnect-share}), and what
     * the virtual users' streams heard of them: {@code typing} frames of the others, and {@code presence} frames.
     *
     * @param reconnectShare  the share of the users reconnecting per minute
     * @param typingPerSecond typing frames sent per second of the run
     * @param comparison      the sends with and without the chatter, when it alternated; null otherwise
     */
    public record Chatter(double typingShare, double reconnectShare, double reconnectPauseSeconds, long typingSent,
                          double typingPerSecond, long typingReceived, long reconnects, long reconnectFailures,
                          long presenceOnline, long presenceOffline, ChatterComparison comparison) {
    }

    /**
     * The sends' latency in the seconds with the chatter on and in those with it off, from intended send time; the
     * first {@code settleSeconds} after each switch are left out of both.
     */
    public record ChatterComparison(double alternateSeconds, int settleSeconds, int secondsOn, int secondsOff,
                                    LatencySummary sendToAckOn, LatencySummary sendToAckOff,
                                    LatencySummary sendToDeliveredOn, LatencySummary sendToDeliveredOff) {
    }

    /** @param sendToDelivered latency to the other members' streams, from intended send time */
    public record BusyGroupSide(long acked, long failed, double errorRate, LatencySummary sendToDelivered) {
    }

    /**
     * A run whose arrivals were partly edits and reactions ({@code --edit-share}, {@code --react-share}); they are
     * not among the sends' figures. Their integrity is {@link IntegrityReport.Changes}.
     *
     * @param acked       changes answered {@code 200}/{@code 204}
     * @param changeToAck from each change's intended time to its answer
     */
    public record Changes(double editShare, double reactShare, long attempted, long edits, long reactions, long acked,
                          long failed, double errorRate, Map<String, Long> errors, LatencySummary changeToAck) {
    }

    /**
     * How the load generator itself kept up; CPU figures are -1 where the JVM cannot tell.
     *
     * @param pacerLateness    how long after its intended time each send was handed off
     * @param sentToDelivered  send→delivered counted from when each message was actually sent (to 50 µs), not
     *                         from its intended time: what is left of the latency without the generator's delay
     * @param sentToAck        send→ack of the acknowledged sends, counted from when each was actually sent
     * @param inFlightCapWaits how often {@code MAX_IN_FLIGHT} unanswered sends made the pacer wait for the server
     * @param cpuCoresMedian   the CPU of the generator's process per second, median over the run (1.0 is one core);
     *                         a drill runs its server in that process, so there it is the server's too
     * @param hostCpuMax       the host's highest CPU load in any second, 0 to 1
     * @param hostStolenMedian the share of the host's CPU time that its hypervisor gave to other virtual machines
     *                         ("steal"), median over the run's seconds, 0 to 1
     * @param hostStolenMax    that share in the run's worst second
     * @param fellBehind       whether the pacer's p99 lateness was a noticeable share of the latency objective
     */
    public record Generator(LatencySummary pacerLateness, LatencySummary sentToDelivered, LatencySummary sentToAck,
                            long inFlightCapWaits, double cpuCoresMedian,
                            double cpuCoresMax, double hostCpuMax, double hostStolenMedian, double hostStolenMax,
                            int cores, boolean fellBehind) {
    }

    /** @param status the HTTP status of the {@code PUT /v1/admin/faults}, or -1 when it did not answer */
    public record AppliedFault(double atSecond, Map<String, Object> faults, int status, String answer) {
    }

    public int exitCode() {
        return switch (verdict) {
            case "pass" -> 0;
            case "incomplete" -> 3;
            default -> 1;
        };
    }
}
