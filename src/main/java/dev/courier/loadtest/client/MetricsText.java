package dev.courier.loadtest.client;

import static java.util.stream.Collectors.joining;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A Prometheus text exposition, as the server's {@code /metrics} writes it, read as its samples: a name, its labels
 * as written between the braces, a value.
 */
public final class MetricsText {

    /** One sample line. {@code labels} is the text between the braces, empty when there are none. */
    public record Sample(String name, String labels, double value) {
    }

    private final List<Sample> samples;

    private MetricsText(List<Sample> samples) {
        this.samples = samples;
    }

    /**
     * {@code /metrics} asking for these families only ({@code name[]}): the whole page is about 200 KB of histograms
     * the server would render for nothing. A server that ignores the parameter answers with the whole page, which
     * {@link #parse} reads the same.
     */
    public static String path(Collection<String> families) {
        return "/metrics?" + families.stream().sorted()
                .map(name -> URLEncoder.encode("name[]", StandardCharsets.UTF_8) + "=" + name)
                .collect(joining("&"));
    }

    public static MetricsText parse(String exposition) {
        List<Sample> samples = new ArrayList<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int nameEnd = nameEnd(line);
            String name = line.substring(0, nameEnd);
            boolean labelled = nameEnd < line.length() && line.charAt(nameEnd) == '{';
            int labelsEnd = labelled ? line.lastIndexOf('}') : nameEnd;
            String labels = labelled ? line.substring(nameEnd + 1, labelsEnd) : "";
            String[] parts = line.substring(labelled ? labelsEnd + 1 : nameEnd).trim().split("\\s+");
            try {
                samples.add(new Sample(name, labels, Double.parseDouble(parts[0])));
            } catch (NumberFormatException e) {
                // a value such as NaN from a gauge whose object is gone: not a sample
            }
        }
        return new MetricsText(List.copyOf(samples));
    }

    /**
     * The sum of the samples named {@code name} whose labels contain {@code label} (e.g. {@code area="heap"}; empty:
     * every sample of the name), or -1 when there is none.
     */
    public double sum(String name, String label) {
        double sum = 0;
        boolean found = false;
        for (Sample s : samples) {
            if (s.name().equals(name) && s.labels().contains(label) && !Double.isNaN(s.value())) {
                sum += s.value();
                found = true;
            }
        }
        return found ? sum : -1;
    }

    public double sum(String name) {
        return sum(name, "");
    }

    private static int nameEnd(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '{' || c == ' ' || c == '\t') {
                return i;
            }
        }
        return line.length();
    }
}
