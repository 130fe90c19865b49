package dev.courier.loadtest.report;

import java.util.List;
import java.util.Optional;

/**
 * What a drill adds to its load report's page: the drill's name and verdict first, and the postmortem draft of the
 * incident it caused last, so that one page tells the drill from fault to postmortem.
 *
 * @param verdictLines the verdict as the console shows it, a line each
 * @param postmortem   the Markdown draft, empty when no incident was recorded
 */
public record DrillPage(String drill, boolean held, List<String> verdictLines, Optional<String> postmortem) {

    public DrillPage {
        verdictLines = List.copyOf(verdictLines);
    }
}
