package dev.courier.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.FileAppender;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * The log of the server a drill runs in its own process, kept out of the drill's story: every line goes to a file,
 * and the console shows only the first warning or error of each kind (its logger and the words before the first
 * colon), with a count of the rest at the end. A leak drill makes the server warn hundreds of times, which is
 * what it should do and what buried the drill's progress when it all went to the console.
 */
final class ServerLogDigest extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private static final int SUMMARY_KINDS = 6;

    private final PrintStream console;
    private final Path file;
    private final Logger root;
    private final FileAppender<ILoggingEvent> toFile = new FileAppender<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final Map<String, ch.qos.logback.core.Appender<ILoggingEvent>> detached = new LinkedHashMap<>();

    private ServerLogDigest(PrintStream console, Path file) {
        this.console = console;
        this.file = file;
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        this.root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        setContext(context);
        setName("drill-digest");
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%X{http.request.id:--}] %logger{24} - %msg%n");
        encoder.start();
        toFile.setContext(context);
        toFile.setName("drill-file");
        toFile.setFile(file.toString());
        toFile.setAppend(false);
        toFile.setEncoder(encoder);
        toFile.start();
    }

    /** From now on the server's log goes to {@code file}, and a digest of its warnings to {@code console}. */
    static ServerLogDigest start(PrintStream console, Path file) {
        ServerLogDigest digest = new ServerLogDigest(console, file);
        console.println("drill: the server logs to " + file + "; the first warning of each kind shows here");
        digest.root.iteratorForAppenders().forEachRemaining(a -> digest.detached.put(a.getName(), a));
        digest.detached.keySet().forEach(digest.root::detachAppender);
        digest.root.addAppender(digest.toFile);
        digest.start();
        digest.root.addAppender(digest);
        return digest;
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (!event.getLevel().isGreaterOrEqual(Level.WARN)) {
            return;
        }
        String message = event.getFormattedMessage();
        String kind = shortName(event.getLoggerName()) + ": " + kindOf(message);
        int seen;
        synchronized (counts) {
            seen = counts.merge(kind, 1, Integer::sum);
        }
        if (seen == 1) {
            console.println("server " + event.getLevel() + " " + shortName(event.getLoggerName()) + ": "
                    + (message.length() > 160 ? message.substring(0, 160) + "…" : message)
                    + "  (more of this kind are counted, not shown)");
        }
    }

    /** One line: how many warnings of each kind the server logged, and where the full log is. */
    String summary() {
        synchronized (counts) {
            if (counts.isEmpty()) {
                return "server log: no warnings; the full log is " + file;
            }
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            return "server log: " + total + (total == 1 ? " warning" : " warnings") + " ("
                    + counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                    .limit(SUMMARY_KINDS).map(e -> e.getValue() + "× " + e.getKey())
                    .collect(Collectors.joining("; ")) + (counts.size() > SUMMARY_KINDS ? "; …" : "")
                    + "); the full log is " + file;
        }
    }

    /**
     * What a message is about, without its particulars: its first three words, numbers made alike. "reclaimed the
     * connection of fault.leak after 96 ms" and "... after 12 ms" are one kind; "ALERT firing CourierLeakSuspected"
     * and "ALERT firing CourierPoolSaturated" are two.
     */
    static String kindOf(String message) {
        String[] words = message.replaceAll("\\d+", "#").split("\\s+", 4);
        return String.join(" ", java.util.Arrays.asList(words).subList(0, Math.min(3, words.length)))
                .replaceAll("[:,;]$", "");
    }

    private static String shortName(String logger) {
        return logger.substring(logger.lastIndexOf('.') + 1);
    }

    /** Gives the log back to the appenders it had before. */
    @Override
    public void close() {
        root.detachAppender(this);
        root.detachAppender(toFile);
        stop();
        toFile.stop();
        detached.values().forEach(root::addAppender);
    }
}
