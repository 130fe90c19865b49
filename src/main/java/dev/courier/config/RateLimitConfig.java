package dev.courier.config;

import dev.courier.ratelimit.Limit;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which rate limits are on and at what rate. Parsed from {@code --rate-limits}: {@code off}, or a comma-separated
 * list of {@code name=N/period} or {@code name=off} overriding the defaults.
 */
public record RateLimitConfig(Map<Limit, Rate> rates) {

    public RateLimitConfig {
        rates = Collections.unmodifiableMap(rates.isEmpty() ? new EnumMap<>(Limit.class) : new EnumMap<>(rates));
    }

    public static RateLimitConfig defaults() {
        Map<Limit, Rate> rates = new EnumMap<>(Limit.class);
        for (Limit limit : Limit.values()) {
            rates.put(limit, limit.defaultRate());
        }
        return new RateLimitConfig(rates);
    }

    public static RateLimitConfig off() {
        return new RateLimitConfig(Map.of());
    }

    /** The rate of {@code limit}, or empty when that limit is off. */
    public Optional<Rate> rate(Limit limit) {
        return Optional.ofNullable(rates.get(limit));
    }

    public static RateLimitConfig parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return defaults();
        }
        if (spec.trim().equalsIgnoreCase("off")) {
            return off();
        }
        Map<Limit, Rate> rates = new EnumMap<>(defaults().rates());
        for (String part : spec.split(",")) {
            String[] nameAndRate = part.trim().split("=", 2);
            if (nameAndRate.length != 2) {
                throw bad(part, "expected name=N/period or name=off");
            }
            Limit limit = byName(nameAndRate[0].trim());
            String value = nameAndRate[1].trim();
            if (value.equalsIgnoreCase("off")) {
                rates.remove(limit);
                continue;
            }
            String[] countAndPeriod = value.split("/", 2);
            if (countAndPeriod.length != 2) {
                throw bad(part, "expected N/period such as 30/1s");
            }
            try {
                rates.put(limit, new Rate(Integer.parseInt(countAndPeriod[0].trim()),
                        Durations.parse(countAndPeriod[1])));
            } catch (IllegalArgumentException e) {
                throw bad(part, e.getMessage());
            }
        }
        return new RateLimitConfig(rates);
    }

    private static Limit byName(String name) {
        for (Limit limit : Limit.values()) {
            if (limit.configName().equals(name)) {
                return limit;
            }
        }
        StringBuilder names = new StringBuilder();
        for (Limit limit : Limit.values()) {
            names.append(names.isEmpty() ? "" : ", ").append(limit.configName());
        }
        throw new IllegalArgumentException("--rate-limits: unknown limit '" + name + "'; known: " + names);
    }

    private static IllegalArgumentException bad(String part, String why) {
        return new IllegalArgumentException("--rate-limits: '" + part.trim() + "': " + why);
    }
}
