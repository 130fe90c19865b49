package dev.courier.loadtest.measure;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Failed sends counted by what the client saw: {@code "503 unavailable"}, {@code "timeout"}, ... */
public final class ErrorTally {

    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();

    public void count(String kind) {
        counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
        total.increment();
    }

    public long total() {
        return total.sum();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }
}
