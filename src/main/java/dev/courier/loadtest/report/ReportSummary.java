package dev.courier.loadtest.report;

import java.io.PrintStream;
import java.util.Locale;

/** The few lines a person reads at the end of a run in the terminal. */
public final class ReportSummary {

    private ReportSummary() {
    }

    public static void print(LoadReport r, PrintStream out) {
        out.printf(Locale.ROOT, "%n== %s: %d sent, %d acked, %d failed in %.1f s: %.1f msg/s, errors %s%n",
                r.scenario(), r.attempted(), r.acked(), r.failed(), r.durationSeconds(), r.throughputPerSecond(),
                Figures.percent(r.errorRate()));
        latency(out, "send->ack      ", r.sendToAck());
        latency(out, "  from the actual send", r.generator().sentToAck());
        LoadReport.Refusals refusals = r.refusals();
        if (refusals.count() > 0) {
            out.printf(Locale.ROOT, "refusals (429, 503): %d, %.1f/s, %d without Retry-After%n", refusals.count(),
                    refusals.perSecond(), refusals.withoutRetryAfter());
            latency(out, "send->refusal  ", refusals.sendToRefusal());
            latency(out, "  from the actual send", refusals.sentToRefusal());
        }
        if (r.sendToDelivered() != null) {
            latency(out, "send->delivered", r.sendToDelivered());
            latency(out, "  from the actual send", r.generator().sentToDelivered());
        } else {
            out.println("send->delivered NOT MEASURED: " + r.delivery().reason());
        }
        LoadReport.Opening opening = r.opening();
        if (opening.sends() > 0) {
            LatencySummary first = opening.sendToDelivered() != null ? opening.sendToDelivered() : opening.sendToAck();
            latency(out, String.format(Locale.ROOT, "  first %d sends, send->%s", opening.sends(),
                    opening.sendToDelivered() != null ? "delivered" : "ack"), first);
        }
        IntegrityReport in = r.integrity();
        out.printf(Locale.ROOT, "integrity: lost=%d duplicated=%d out-of-order=%d history-gaps=%d (deliveries %s)%n",
                in.lost(), in.duplicated(), in.outOfOrder(), in.historyGaps(),
                in.deliveryChecked() ? "checked" : "not checked");
        if (in.changes() != null) {
            out.printf(Locale.ROOT, "integrity of changes: %d committed, lost=%d duplicated=%d out-of-order=%d%n",
                    in.changes().committed(), in.changes().lost(), in.changes().duplicated(),
                    in.changes().outOfOrder());
        }
        if (!r.errors().isEmpty()) {
            out.println("errors: " + r.errors());
        }
        if (r.changes() != null) {
            LoadReport.Changes c = r.changes();
            out.printf(Locale.ROOT, "changes: %d edits and %d reactions (%s and %s of the arrivals), %d acked, "
                    + "%d failed, errors %s%s%n", c.edits(), c.reactions(), Figures.percent(c.editShare()),
                    Figures.percent(c.reactShare()), c.acked(), c.failed(), Figures.percent(c.errorRate()),
                    c.errors().isEmpty() ? "" : " " + c.errors());
            latency(out, "change->ack    ", c.changeToAck());
        }
        if (r.ramp() != null) {
            out.printf(Locale.ROOT, "ramp: highest rate meeting p99 <= %.0f ms: %.1f msg/s (sustained %.1f, p99 %.2f ms)%n",
                    r.objectives().sloP99Ms(), r.ramp().highestPassingRate(), r.ramp().sustainedThroughput(),
                    r.ramp().p99AtHighestMs());
        }
        if (r.disturbance() != null) {
            out.printf(Locale.ROOT, "disturbance %.0f-%.0f s: availability %s, p99 %.2f ms%n",
                    r.disturbance().fromSecond(), r.disturbance().toSecond(),
                    Figures.percent(r.disturbance().availability()), r.disturbance().p99Ms());
        }
        if (r.busyGroup() != null) {
            LoadReport.BusyGroup b = r.busyGroup();
            out.printf(Locale.ROOT, "busy group %d (%d members, %s of the sends):%n", b.conversationId(), b.members(),
                    Figures.percent(b.share()));
            busyGroupSide(out, "  busy group   ", b.busy());
            busyGroupSide(out, "  other convs. ", b.others());
        }
        if (r.chatter() != null) {
            LoadReport.Chatter c = r.chatter();
            out.printf(Locale.ROOT, "chatter: typing %s of the users, %d frames sent (%.1f/s), %d typing frames "
                    + "received; reconnects %s of the users a minute, %d done (%d failed), away %.1f s; presence "
                    + "frames received: %d online, %d offline%n", Figures.percent(c.typingShare()), c.typingSent(),
                    c.typingPerSecond(), c.typingReceived(), Figures.percent(c.reconnectShare()), c.reconnects(),
                    c.reconnectFailures(), c.reconnectPauseSeconds(), c.presenceOnline(), c.presenceOffline());
            LoadReport.ChatterComparison cmp = c.comparison();
            if (cmp != null) {
                out.printf(Locale.ROOT, "chatter on and off every %.0f s (%d s on, %d s off, %d s after each switch "
                        + "left out):%n", cmp.alternateSeconds(), cmp.secondsOn(), cmp.secondsOff(), cmp.settleSeconds());
                latency(out, "  send->ack       on ", cmp.sendToAckOn());
                latency(out, "  send->ack       off", cmp.sendToAckOff());
                latency(out, "  send->delivered on ", cmp.sendToDeliveredOn());
                latency(out, "  send->delivered off", cmp.sendToDeliveredOff());
            }
        }
        if (r.soak() != null) {
            soak(out, r.soak());
        }
        LoadReport.Generator g = r.generator();
        out.printf(Locale.ROOT, "generator: sends left p99 %.2f ms (max %.2f ms) after their intended time, cpu %s cores "
                + "(median; %s at most, of %d), host %s at most%s%n", g.pacerLateness().p99(), g.pacerLateness().max(),
                Figures.knownOrNa(g.cpuCoresMedian()), Figures.knownOrNa(g.cpuCoresMax()), g.cores(),
                Figures.knownPercentOrNa(g.hostCpuMax()), g.fellBehind() ? ": BEHIND" : "");
        out.println("verdict: " + r.verdict().toUpperCase(Locale.ROOT));
        r.failures().forEach(f -> out.println("  - " + f));
        r.warnings().forEach(w -> out.println("warning: " + w));
    }

    /** Each drill's verdict as {@code courier drill} prints it, then the resources: after the warm-up, at the end. */
    private static void soak(PrintStream out, SoakReport soak) {
        soak.drills().forEach(d -> d.lines().forEach(out::println));
        SoakReport.Flatness f = soak.flatness();
        out.printf(Locale.ROOT, "== resources: %s (seconds %.0f-%.0f against %.0f-%.0f after the warm-up)%n",
                f.flat() ? "FLAT" : "NOT FLAT", f.endFromSecond(), f.endToSecond(), f.baselineFromSecond(),
                f.baselineToSecond());
        for (SoakReport.Figure fig : f.figures()) {
            out.printf(Locale.ROOT, "  %-36s %s -> %s %s (%s; tolerance %.1f): %s%n", fig.name(),
                    Figures.knownOrNa(fig.baseline()), Figures.knownOrNa(fig.end()), fig.unit(), fig.statistic(),
                    fig.tolerance(), fig.verdict());
        }
    }

    private static void busyGroupSide(PrintStream out, String name, LoadReport.BusyGroupSide side) {
        out.printf(Locale.ROOT, "%s acked=%d failed=%d errors %s%n", name, side.acked(), side.failed(),
                Figures.percent(side.errorRate()));
        latency(out, "    send->delivered", side.sendToDelivered());
    }

    private static void latency(PrintStream out, String name, LatencySummary s) {
        out.printf(Locale.ROOT, "%s p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f ms (n=%d)%n", name, s.p50(), s.p90(),
                s.p99(), s.p999(), s.max(), s.count());
    }
}
