package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.Courier;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code courier drill leak} as a newcomer runs it: a short story on the console (progress, the first warning of
 * each kind, never hundreds of leak warnings), a verdict that always says whether the alerts resolved, the
 * postmortem draft of the incident it caused, a report page titled for the drill, and with {@code --keep} the
 * data and the command that reopens it.
 */
class DrillCommandTest {

    @Test
    void aLeakDrillTellsAShortStoryEndingWithThePostmortemAndKeepsItsData(@TempDir Path dir) throws Exception {
        Path html = dir.resolve("drill.html");
        Path serverLog = dir.resolve("server.log");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream console = System.out;
        int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = Courier.commandLine().execute("drill", "leak", "--duration", "15s", "--rate", "20", "--users", "4",
                    "--leak-rate", "0.5", "--report-json", dir.resolve("drill.json").toString(),
                    "--report-html", html.toString(), "--server-log", serverLog.toString(), "--keep");
        } finally {
            System.setOut(console);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        System.out.println(out);

        assertThat(exit).as(out).isIn(0, 1);
        List<String> lines = out.lines().toList();
        assertThat(lines.stream().filter(l -> l.startsWith("server WARN LeaseReclaimer: connection leak suspected"))
                .count()).as("the server's leak warnings are shown once, then counted").isEqualTo(1);
        assertThat(out).containsPattern("server log: \\d+ warnings \\(\\d+× LeaseReclaimer: connection leak suspected");
        assertThat(lines.size()).as("a short story").isLessThan(150);
        assertThat(out).contains("== drill leak: ", "  alerts resolved: ", "server log: ",
                "the full log is " + serverLog);
        assertThat(Files.readString(serverLog)).as("the full log is kept").contains("connection leak suspected");

        Matcher draft = Pattern.compile("== postmortem draft of incident (\\d+)").matcher(out);
        assertThat(draft.find()).as("the drill ends with its incident's postmortem: " + out).isTrue();
        String id = draft.group(1);
        assertThat(out).contains("# Postmortem draft: incident " + id, "## Timeline", "fault injection: 50 % of "
                + "operations leak their connection").doesNotContain("Faults[");

        assertThat(out).contains("drill: kept the drill's data in ", "bin/courier serve --data-dir ",
                "bin/courier postmortem " + id);
        Matcher kept = Pattern.compile("--data-dir (\\S+) --admin-token").matcher(out);
        assertThat(kept.find()).isTrue();
        Path dataDir = Path.of(kept.group(1));
        assertThat(dataDir).isDirectory();

        String page = Files.readString(html);
        assertThat(page).contains("<title>Courier drill: leak</title>", "Drill verdict: COURIER",
                "alerts resolved: ", "Postmortem draft of the drill's incident", "# Postmortem draft: incident " + id,
                "width='100%'");
        DrillCommand.deleteRecursively(dataDir);
    }
}
