package dev.courier.audit;

import dev.courier.web.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every check's result, in the order an operator would fix them, and what they add up to. */
public record AuditReport(Instant at, String database, int aliveNodes, List<CheckResult> results) {

    public AuditReport {
        results = List.copyOf(results);
    }

    /** 0 when nothing failed, 1 when something did; 2 (could not audit) is never a report. */
    public int exitCode() {
        return count(CheckStatus.FAIL) > 0 ? 1 : 0;
    }

    public long count(CheckStatus status) {
        return results.stream().filter(r -> r.status() == status).count();
    }

    public List<CheckResult> failed() {
        return results.stream().filter(r -> r.status() == CheckStatus.FAIL).toList();
    }

    /** One line per check: status, name, figure, and the fix after an arrow; then one line of totals. */
    public String text() {
        int width = results.stream().mapToInt(r -> r.check().length()).max().orElse(10);
        StringBuilder out = new StringBuilder();
        out.append("courier audit of ").append(database).append(" at ").append(at).append(": ").append(aliveNodes)
                .append(aliveNodes == 1 ? " node" : " nodes").append(" alive\n");
        for (CheckResult r : results) {
            out.append(String.format(java.util.Locale.ROOT, "%-4s  %-" + width + "s  %s", r.status(), r.check(),
                    r.figure()));
            if (!r.fix().isEmpty()) {
                out.append("  -> fix: ").append(r.fix());
            }
            out.append('\n');
        }
        out.append(count(CheckStatus.FAIL)).append(" FAIL, ").append(count(CheckStatus.WARN)).append(" WARN, ")
                .append(count(CheckStatus.PASS)).append(" PASS\n");
        return out.toString();
    }

    public String json() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("at", at);
        body.put("database", database);
        body.put("aliveNodes", aliveNodes);
        body.put("checks", results);
        body.put("summary", Map.of("fail", count(CheckStatus.FAIL), "warn", count(CheckStatus.WARN),
                "pass", count(CheckStatus.PASS)));
        body.put("exitCode", exitCode());
        return Json.write(body) + "\n";
    }
}
