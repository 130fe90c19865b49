package dev.courier.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

/**
 * Real signals to real processes, with {@code kill}: {@code STOP} freezes a process with its sockets open (the kernel
 * still accepts connections on its port and nothing answers), {@code CONT} thaws it.
 */
public final class ProcessSignals {

    private ProcessSignals() {
    }

    /** Sends {@code kill -NAME} to every pid; fails the test when {@code kill} does. */
    public static void send(String name, long... pids) {
        List<String> command = new ArrayList<>(List.of("kill", "-" + name));
        LongStream.of(pids).mapToObj(String::valueOf).forEach(command::add);
        try {
            Process kill = new ProcessBuilder(command).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + name, e);
        }
    }

    /** The process and every process it started, as now: PostgreSQL's postmaster and its backends. */
    public static long[] withDescendants(long pid) {
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        return LongStream.concat(LongStream.of(pid), process.descendants().mapToLong(ProcessHandle::pid)).toArray();
    }
}
