package dev.courier.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The [Service] section of a systemd unit file, and the environment files it names, read as systemd reads them. */
record SystemdUnit(Map<String, List<String>> service) {

    static SystemdUnit read(Path file) throws IOException {
        Map<String, List<String>> service = new LinkedHashMap<>();
        String section = "";
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                section = line;
                continue;
            }
            int eq = line.indexOf('=');
            if (section.equals("[Service]") && eq > 0) {
                service.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
                        .add(line.substring(eq + 1).strip());
            }
        }
        return new SystemdUnit(service);
    }

    /** The last value of a setting (systemd's rule for single-valued settings), or null. */
    String get(String key) {
        List<String> values = service.get(key);
        return values == null ? null : values.get(values.size() - 1);
    }

    List<String> all(String key) {
        return service.getOrDefault(key, List.of());
    }

    /** Environment=, then each EnvironmentFile= on top (systemd: the files' settings win), as the service sees them. */
    Map<String, String> environment() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String assignments : all("Environment")) {
            for (String assignment : assignments.split("\\s+")) {
                int eq = assignment.indexOf('=');
                env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
            }
        }
        for (String name : all("EnvironmentFile")) {
            boolean optional = name.startsWith("-");
            Path file = Path.of(optional ? name.substring(1) : name);
            if (optional && !Files.exists(file)) {
                continue;
            }
            env.putAll(readEnvironmentFile(file));
        }
        return env;
    }

    /** KEY=VALUE lines; # and ; start comments; a value may be in single or double quotes. */
    static Map<String, String> readEnvironmentFile(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            int eq = line.indexOf('=');
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            env.put(line.substring(0, eq).strip(), value);
        }
        return env;
    }

    /** A time span in seconds: "30s", "30", "1min 30s", "2min". */
    static long seconds(String span) {
        long total = 0;
        for (String part : span.trim().split("\\s+")) {
            if (part.endsWith("min")) {
                total += 60 * Long.parseLong(part.substring(0, part.length() - 3));
            } else if (part.endsWith("s")) {
                total += Long.parseLong(part.substring(0, part.length() - 1));
            } else {
                total += Long.parseLong(part);
            }
        }
        return total;
    }
}
