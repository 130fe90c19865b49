package dev.courier.loadtest.report;

import java.util.Locale;

/**
 * How a figure is rounded and written wherever the load tester shows one: the report, the terminal summary and the
 * drill's verdict. One place, so that the JSON, the HTML page and the terminal agree to the digit.
 */
public final class Figures {

    private Figures() {
    }

    /** {@code part} of {@code whole}, 0 to 1; 0 when there is no whole. */
    public static double share(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    /** Two decimals, as the reports carry their figures. */
    public static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    public static String percent(double share) {
        return String.format("%.3f%%", share * 100);
    }

    /** A figure the JVM may not know (-1): two decimals, or {@code n/a}. */
    public static String knownOrNa(double v) {
        return v < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** A share the JVM may not know (-1), as {@link #percent}, or {@code n/a}. */
    public static String knownPercentOrNa(double share) {
        return share < 0 ? "n/a" : percent(share);
    }
}
