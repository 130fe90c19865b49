package dev.courier.loadtest.report;

import dev.courier.loadtest.LoadOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/** The report as one self-contained HTML page: summary tables and inline SVG charts, nothing fetched. */
public final class HtmlReport {

    private HtmlReport() {
    }

    public static String render(LoadReport r) {
        return render(r, Optional.empty());
    }

    /** A drill's page: titled for the drill, its verdict first, the load test's figures after, its postmortem last. */
    public static String render(LoadReport r, Optional<DrillPage> drill) {
        List<Interval> tl = r.timeline();
        double[] xs = series(tl, i -> i.t());
        String title = drill.map(d -> "Courier drill: " + d.drill()).orElse("Courier load test: " + r.scenario());
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>")
                .append(escape(title)).append("</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1280px}")
                .append("pre{white-space:pre-wrap;background:#f6f6f6;padding:12px;border-radius:6px}")
                .append("table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;")
                .append("text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}")
                .append(".pass{color:#17692c}.fail{color:#b00020}.incomplete{color:#a15c00}")
                .append("</style></head><body>");
        html.append("<h1>").append(escape(title)).append("</h1>");
        drill.ifPresent(d -> {
            html.append("<p class='").append(d.held() ? "pass" : "fail").append("'><b>Drill verdict: ")
                    .append(d.held() ? "COURIER HELD" : "COURIER DID NOT HOLD").append("</b></p><pre>");
            d.verdictLines().forEach(line -> html.append(escape(line)).append("\n"));
            html.append("</pre><h2>The load test under the drill</h2>");
        });
        html.append("<p class='").append(escape(r.verdict())).append("'><b>Verdict: ")
                .append(escape(r.verdict().toUpperCase(Locale.ROOT))).append("</b></p>");
        if (!r.failures().isEmpty()) {
            html.append("<ul>");
            r.failures().forEach(f -> html.append("<li>").append(escape(f)).append("</li>"));
            html.append("</ul>");
        }
        if (!r.warnings().isEmpty()) {
            html.append("<p class='incomplete'><b>Warnings</b></p><ul>");
            r.warnings().forEach(w -> html.append("<li>").append(escape(w)).append("</li>"));
            html.append("</ul>");
        }
        html.append("<table>");
        row(html, "server", r.url());
        row(html, "started", r.startedAt());
        row(html, "duration", fmt(r.durationSeconds()) + " s");
        row(html, "transport", r.transport());
        row(html, "users / conversations", r.users() + " / " + r.conversations());
        row(html, "base rate", fmt(r.baseRate()) + " msg/s");
        row(html, "attempted / acked / failed", r.attempted() + " / " + r.acked() + " / " + r.failed());
        row(html, "throughput", fmt(r.throughputPerSecond()) + " msg/s");
        row(html, "error rate", Figures.percent(r.errorRate()));
        row(html, "refusals (429, 503)", r.refusals().count() + ", " + fmt(r.refusals().perSecond()) + "/s, "
                + r.refusals().withoutRetryAfter() + " without Retry-After");
        row(html, "delivery", r.delivery().measured() ? "measured over /v1/stream"
                : "NOT MEASURED: " + r.delivery().reason());
        html.append("</table>");

        html.append("<h2>Latency from intended send time (ms)</h2><table><tr><th></th><th>count</th><th>p50</th>")
                .append("<th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>");
        latencyRow(html, "send → ack", r.sendToAck());
        latencyRow(html, "send → ack, from the actual send", r.generator().sentToAck());
        if (r.sendToDelivered() != null) {
            latencyRow(html, "send → delivered", r.sendToDelivered());
            latencyRow(html, "send → delivered, from the actual send", r.generator().sentToDelivered());
        }
        if (r.refusals().count() > 0) {
            latencyRow(html, "send → refusal (429, 503)", r.refusals().sendToRefusal());
            latencyRow(html, "send → refusal, from the actual send", r.refusals().sentToRefusal());
        }
        html.append("</table>");

        LoadReport.Objectives ob = r.objectives();
        html.append("<h2>Objectives</h2><table>");
        row(html, "p99 " + ob.p99Basis() + " (" + ob.window() + ")",
                fmt(ob.p99Ms()) + " ms, objective " + fmt(ob.sloP99Ms()) + " ms: " + (ob.p99Met() ? "met" : "MISSED"));
        row(html, "error rate (" + ob.window() + ")", Figures.percent(ob.errorRate()) + ", objective "
                + Figures.percent(ob.maxErrorRate()) + ": " + (ob.errorRateMet() ? "met" : "MISSED"));
        html.append("</table>");

        IntegrityReport in = r.integrity();
        html.append("<h2>Integrity</h2><table>");
        row(html, "acknowledged messages", String.valueOf(in.acked()));
        row(html, "lost", String.valueOf(in.lost()));
        row(html, "duplicated", String.valueOf(in.duplicated()));
        row(html, "out of order", String.valueOf(in.outOfOrder()));
        row(html, "history gaps", String.valueOf(in.historyGaps()));
        row(html, "deliveries checked", in.deliveryChecked() ? "yes" : "no (history only)");
        row(html, "streams closed by the server", String.valueOf(in.connectionsClosedEarly()));
        if (in.changes() != null) {
            row(html, "changes committed", String.valueOf(in.changes().committed()));
            row(html, "change deliveries lost", String.valueOf(in.changes().lost()));
            row(html, "changes duplicated", String.valueOf(in.changes().duplicated()));
            row(html, "changes out of order", String.valueOf(in.changes().outOfOrder()));
        }
        html.append("</table>");

        if (r.ramp() != null) {
            html.append("<h2>Ramp</h2><p>Highest rate meeting the objectives: <b>").append(fmt(r.ramp().highestPassingRate()))
                    .append(" msg/s</b> (sustained ").append(fmt(r.ramp().sustainedThroughput())).append(" msg/s, p99 ")
                    .append(fmt(r.ramp().p99AtHighestMs())).append(" ms)</p><table><tr><th>target</th><th>throughput</th>")
                    .append("<th>p99 ms</th><th>errors</th><th>passed</th><th>generator late ms</th><th>p99 ms from actual sends</th>")
                    .append("<th>host CPU stolen</th></tr>");
            for (LoadReport.RampStep s : r.ramp().steps()) {
                html.append("<tr><td>").append(fmt(s.targetRate())).append("</td><td>").append(fmt(s.throughput()))
                        .append("</td><td>").append(fmt(s.p99Ms())).append("</td><td>")
                        .append(Figures.percent(s.errorRate())).append("</td><td>").append(s.passed() ? "yes" : "no")
                        .append("</td><td>").append(fmt(s.generatorLateMs())).append("</td><td>")
                        .append(Figures.knownOrNa(s.p99FromSentMs())).append("</td><td>")
                        .append(Figures.knownPercentOrNa(s.hostStolen())).append("</td></tr>");
            }
            html.append("</table>");
        }
        if (r.disturbance() != null) {
            html.append("<h2>Disturbance</h2><table>");
            row(html, "window", fmt(r.disturbance().fromSecond()) + " s to " + fmt(r.disturbance().toSecond()) + " s");
            row(html, "availability", Figures.percent(r.disturbance().availability()));
            row(html, "p99 during", fmt(r.disturbance().p99Ms()) + " ms");
            html.append("</table>");
            for (LoadReport.AppliedFault f : r.faults()) {
                html.append("<p>t=").append(fmt(f.atSecond())).append(" s: PUT /v1/admin/faults ")
                        .append(escape(String.valueOf(f.faults()))).append(" → ").append(f.status()).append("</p>");
            }
        }

        if (r.soak() != null) {
            soak(html, r.soak());
        }

        if (r.busyGroup() != null) {
            LoadReport.BusyGroup b = r.busyGroup();
            html.append("<h2>Busy group</h2><p>Conversation ").append(b.conversationId()).append(", ")
                    .append(b.members()).append(" members, ").append(Figures.percent(b.share()))
                    .append(" of the sends. Send → delivered (ms) to the other members:</p>")
                    .append("<table><tr><th></th><th>acked</th><th>failed</th><th>count</th><th>p50</th><th>p90</th>")
                    .append("<th>p99</th><th>p99.9</th><th>max</th></tr>");
            busyGroupRow(html, "busy group", b.busy());
            busyGroupRow(html, "other conversations", b.others());
            html.append("</table>");
        }

        if (r.changes() != null) {
            LoadReport.Changes c = r.changes();
            html.append("<h2>Edits and reactions</h2><table>");
            row(html, "share of the arrivals", Figures.percent(c.editShare()) + " edits, "
                    + Figures.percent(c.reactShare()) + " reactions");
            row(html, "made", c.edits() + " edits, " + c.reactions() + " reactions");
            row(html, "acknowledged", String.valueOf(c.acked()));
            row(html, "failed", c.failed() + " (" + Figures.percent(c.errorRate()) + ")"
                    + (c.errors().isEmpty() ? "" : " " + c.errors()));
            html.append("</table><table><tr><th></th><th>count</th><th>p50</th><th>p90</th><th>p99</th>")
                    .append("<th>p99.9</th><th>max</th></tr>");
            latencyRow(html, "change → ack", c.changeToAck());
            html.append("</table>");
        }

        LoadReport.Generator g = r.generator();
        if (r.chatter() != null) {
            LoadReport.Chatter c = r.chatter();
            html.append("<h2>Typing and reconnects</h2><table>");
            row(html, "typing", Figures.percent(c.typingShare()) + " of the users at any moment");
            row(html, "typing frames sent", c.typingSent() + " (" + fmt(c.typingPerSecond()) + "/s)");
            row(html, "typing frames received", String.valueOf(c.typingReceived()));
            row(html, "reconnects", Figures.percent(c.reconnectShare()) + " of the users a minute, away "
                    + fmt(c.reconnectPauseSeconds()) + " s: " + c.reconnects() + " done, " + c.reconnectFailures()
                    + " failed");
            row(html, "presence frames received", c.presenceOnline() + " online, " + c.presenceOffline() + " offline");
            LoadReport.ChatterComparison cmp = c.comparison();
            if (cmp != null) {
                row(html, "alternating", "every " + fmt(cmp.alternateSeconds()) + " s: " + cmp.secondsOn() + " s on, "
                        + cmp.secondsOff() + " s off (" + cmp.settleSeconds() + " s after each switch left out)");
                row(html, "p99 send → ack, on / off", fmt(cmp.sendToAckOn().p99()) + " / "
                        + fmt(cmp.sendToAckOff().p99()) + " ms");
                row(html, "p99 send → delivered, on / off", fmt(cmp.sendToDeliveredOn().p99()) + " / "
                        + fmt(cmp.sendToDeliveredOff().p99()) + " ms");
            }
            html.append("</table>");
        }

        html.append("<h2>Load generator</h2><table>");
        row(html, "sends handed off after their intended time", "p99 " + fmt(g.pacerLateness().p99()) + " ms, max "
                + fmt(g.pacerLateness().max()) + " ms" + (g.fellBehind() ? ": BEHIND" : ""));
        row(html, "waits for the in-flight cap (" + LoadOptions.MAX_IN_FLIGHT + ")", String.valueOf(g.inFlightCapWaits()));
        row(html, "generator CPU (cores, median / max)", Figures.knownOrNa(g.cpuCoresMedian()) + " / "
                + Figures.knownOrNa(g.cpuCoresMax()) + " of " + g.cores());
        row(html, "host CPU, busiest second", Figures.knownPercentOrNa(g.hostCpuMax()));
        row(html, "host CPU stolen by its hypervisor (median / worst second)",
                Figures.knownPercentOrNa(g.hostStolenMedian()) + " / "
                        + Figures.knownPercentOrNa(g.hostStolenMax()));
        html.append("</table>");

        html.append("<h2>Over time</h2>");
        SvgChart throughput = new SvgChart("Throughput", "msg/s", xs)
                .line("target", "#999", series(tl, Interval::targetRate))
                .line("sent", "#1f77b4", series(tl, i -> i.sent()))
                .line("acked", "#2ca02c", series(tl, i -> i.acked()));
        SvgChart latency = new SvgChart("Latency from intended send time", "ms", xs)
                .line("ack p50", "#9ecae1", series(tl, i -> measured(i.sendToAck(), i.sendToAck().p50())))
                .line("ack p90", "#4292c6", series(tl, i -> measured(i.sendToAck(), i.sendToAck().p90())))
                .line("ack p99", "#08519c", series(tl, i -> measured(i.sendToAck(), i.sendToAck().p99())))
                .line("ack max", "#aaa", series(tl, i -> measured(i.sendToAck(), i.sendToAck().max())));
        if (r.delivery().measured()) {
            latency.line("delivered p99", "#d62728",
                    series(tl, i -> measured(i.sendToDelivered(), i.sendToDelivered().p99())));
            latency.line("delivered p99 from actual send", "#ff9896", series(tl, i -> i.generator() == null
                    || i.sendToDelivered().count() == 0 ? Double.NaN : i.generator().sentToDeliveredP99Ms()));
        }
        if (r.refusals().count() > 0) {
            latency.line("refusal p99", "#ff7f0e",
                    series(tl, i -> measured(i.sendToRefusal(), i.sendToRefusal().p99())));
        }
        SvgChart failures = new SvgChart("Errors", "per s", xs).line("errors", "#d62728", series(tl, i -> i.errors()))
                .line("refusals (429, 503)", "#ff7f0e", series(tl, i -> i.sendToRefusal().count()));
        SvgChart pool = new SvgChart("Server connection pool (/metrics)", "connections", xs)
                .line("active", "#d62728", series(tl, i -> i.pool() == null ? -1 : i.pool().active()))
                .line("idle", "#2ca02c", series(tl, i -> i.pool() == null ? -1 : i.pool().idle()))
                .line("pending", "#ff7f0e", series(tl, i -> i.pool() == null ? -1 : i.pool().pending()))
                .line("max", "#999", series(tl, i -> i.pool() == null ? -1 : i.pool().max()));
        SvgChart generator = new SvgChart("Load generator", "ms late (p99) / cores", xs)
                .line("late p99", "#9467bd", series(tl, Interval::generatorLateP99Ms))
                .line("cpu", "#8c564b", series(tl, i -> i.generator() == null ? -1 : i.generator().cores()));
        List<SvgChart> charts = new ArrayList<>(List.of(throughput, latency, failures, pool, generator));
        if (r.soak() != null) {
            charts.addAll(resourceCharts(r.soak().resources()));
        }
        for (SvgChart chart : charts) {
            if (r.disturbance() != null) {
                chart.shade(r.disturbance().fromSecond(), r.disturbance().toSecond());
            }
            if (r.soak() != null) {
                r.soak().drills().forEach(d -> chart.shade(d.faultOnAt(), d.faultOffAt()));
            }
            html.append("<div>").append(chart.render()).append("</div>");
        }
        if (!r.errors().isEmpty()) {
            html.append("<h2>Errors by kind</h2><table><tr><th>kind</th><th>count</th></tr>");
            for (Map.Entry<String, Long> e : r.errors().entrySet()) {
                html.append("<tr><td>").append(escape(e.getKey())).append("</td><td>").append(e.getValue())
                        .append("</td></tr>");
            }
            html.append("</table>");
        }
        drill.ifPresent(d -> {
            html.append("<h2>Postmortem draft of the drill's incident</h2>");
            html.append(d.postmortem().map(md -> "<pre>" + escape(md) + "</pre>")
                    .orElse("<p class='incomplete'>No incident was recorded during the drill.</p>"));
        });
        return html.append("</body></html>\n").toString();
    }

    /** A soak's drills with their verdicts, and whether the server's resources stayed flat. */
    private static void soak(StringBuilder html, SoakReport soak) {
        html.append("<h2>Soak: drills</h2><p>A drill every ").append(fmt(soak.drillEverySeconds())).append(" s, each ")
                .append(fmt(soak.drillLengthSeconds())).append(" s long (shaded in the charts); lost messages count "
                        + "the whole run.</p><table><tr><th>drill</th><th>on at s</th><th>off at s</th><th>detected s</th>"
                        + "<th>alerted s</th><th>availability</th><th>recovered s</th><th>alerts resolved s</th>"
                        + "<th>verdict</th></tr>");
        for (DrillVerdict d : soak.drills()) {
            html.append("<tr><td>").append(escape(d.drill())).append("</td><td>").append(fmt(d.faultOnAt()))
                    .append("</td><td>").append(fmt(d.faultOffAt())).append("</td><td>")
                    .append(Figures.knownOrNa(d.detectSeconds())).append("</td><td>")
                    .append(Figures.knownOrNa(d.alertSeconds())).append("</td><td>")
                    .append(Figures.percent(d.availability())).append("</td><td>")
                    .append(Figures.knownOrNa(d.recoverSeconds())).append("</td><td>")
                    .append(Figures.knownOrNa(d.alertsResolvedSeconds())).append("</td><td class='")
                    .append(d.held() ? "pass'>held" : "fail'>DID NOT HOLD").append("</td></tr>");
        }
        html.append("</table><pre>");
        soak.drills().forEach(d -> d.lines().forEach(line -> html.append(escape(line)).append("\n")));
        html.append("</pre>");
        SoakReport.Flatness f = soak.flatness();
        html.append("<h2>Soak: resources</h2><p class='").append(f.flat() ? "pass'>FLAT" : "fail'>NOT FLAT")
                .append(": seconds ").append(fmt(f.endFromSecond())).append(" to ").append(fmt(f.endToSecond()))
                .append(" against seconds ").append(fmt(f.baselineFromSecond())).append(" to ")
                .append(fmt(f.baselineToSecond())).append(" (after the warm-up), without the drills and as long "
                        + "again after each.</p><table><tr><th>figure</th><th>statistic</th><th>after warm-up</th>"
                        + "<th>at the end</th><th>worse by</th><th>tolerance</th><th>verdict</th></tr>");
        for (SoakReport.Figure fig : f.figures()) {
            html.append("<tr><td>").append(escape(fig.name() + " (" + fig.unit() + ")")).append("</td><td>")
                    .append(escape(fig.statistic())).append("</td><td>").append(Figures.knownOrNa(fig.baseline()))
                    .append("</td><td>").append(Figures.knownOrNa(fig.end())).append("</td><td>")
                    .append(fmt(fig.worsened())).append("</td><td>").append(fmt(fig.tolerance()))
                    .append("</td><td class='").append(fig.failed() ? "fail" : "pass").append("'>")
                    .append(escape(fig.verdict())).append("</td></tr>");
        }
        html.append("</table>");
    }

    /** The soak's resource samples over time: memory, threads and descriptors, the pool. */
    private static List<SvgChart> resourceCharts(List<ResourceSample> samples) {
        double[] xs = samples.stream().mapToDouble(ResourceSample::t).toArray();
        double mib = 1024 * 1024;
        SvgChart memory = new SvgChart("Server memory (/metrics)", "MiB", xs)
                .line("heap used", "#1f77b4", samples.stream().mapToDouble(s -> scaled(s.heapUsedBytes(), mib)).toArray())
                .line("resident", "#d62728", samples.stream().mapToDouble(s -> scaled(s.residentBytes(), mib)).toArray());
        SvgChart handles = new SvgChart("Server threads and file descriptors (/metrics)", "count", xs)
                .line("live threads", "#2ca02c", samples.stream().mapToDouble(ResourceSample::liveThreads).toArray())
                .line("open files", "#9467bd", samples.stream().mapToDouble(ResourceSample::openFiles).toArray());
        SvgChart pool = new SvgChart("Server connection pool over the soak (/metrics)", "connections", xs)
                .line("active", "#d62728", samples.stream().mapToDouble(ResourceSample::poolActive).toArray())
                .line("idle", "#2ca02c", samples.stream().mapToDouble(ResourceSample::poolIdle).toArray())
                .line("pending", "#ff7f0e", samples.stream().mapToDouble(ResourceSample::poolPending).toArray())
                .line("leaked, not taken back", "#8c564b",
                        samples.stream().mapToDouble(ResourceSample::leasesLeaking).toArray());
        return List.of(memory, handles, pool);
    }

    /** A missing gauge (-1) stays missing. */
    private static double scaled(double value, double unit) {
        return value < 0 ? -1 : value / unit;
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
                .replace("\"", "&quot;");
    }

    /** A second with no sample has no latency, not a latency of zero: leave it out of the line. */
    private static double measured(LatencySummary s, double value) {
        return s.count() == 0 ? Double.NaN : value;
    }

    private static double[] series(List<Interval> tl, ToDoubleFunction<Interval> f) {
        return tl.stream().mapToDouble(f).toArray();
    }

    private static void row(StringBuilder html, String name, String value) {
        html.append("<tr><td>").append(escape(name)).append("</td><td>").append(escape(value)).append("</td></tr>");
    }

    private static void latencyRow(StringBuilder html, String name, LatencySummary s) {
        html.append("<tr><td>").append(escape(name)).append("</td>");
        latencyCells(html, s);
    }

    private static void busyGroupRow(StringBuilder html, String name, LoadReport.BusyGroupSide side) {
        html.append("<tr><td>").append(escape(name)).append("</td><td>").append(side.acked()).append("</td><td>")
                .append(side.failed()).append("</td>");
        latencyCells(html, side.sendToDelivered());
    }

    /** Count and percentiles, closing the row. */
    private static void latencyCells(StringBuilder html, LatencySummary s) {
        html.append("<td>").append(s.count()).append("</td><td>")
                .append(fmt(s.p50())).append("</td><td>").append(fmt(s.p90())).append("</td><td>").append(fmt(s.p99()))
                .append("</td><td>").append(fmt(s.p999())).append("</td><td>").append(fmt(s.max())).append("</td></tr>");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
