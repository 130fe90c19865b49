package dev.courier.loadtest.report;

import dev.courier.web.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a report as JSON (for machines and CI) and as an HTML page (for people). */
public final class ReportFiles {

    private ReportFiles() {
    }

    public static void writeJson(LoadReport report, Path file) throws IOException {
        createParent(file);
        Files.writeString(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n",
                StandardCharsets.UTF_8);
    }

    public static void writeHtml(LoadReport report, DrillPage drill, Path file) throws IOException {
        createParent(file);
        Files.writeString(file, HtmlReport.render(report, java.util.Optional.of(drill)), StandardCharsets.UTF_8);
    }

    public static void writeHtml(LoadReport report, Path file) throws IOException {
        createParent(file);
        Files.writeString(file, HtmlReport.render(report), StandardCharsets.UTF_8);
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
