package dev.courier.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A line chart as inline SVG: no script, no network, readable in any browser. */
final class SvgChart {

    record Series(String name, String color, double[] values) {
    }

    /*
     * Drawn in a wide box and scaled to the page's width: the title, the legend and the unit each have a row of their
     * own above the plot, so that none of them is cut off by another or by the edge.
     */
    private static final int WIDTH = 1100;
    private static final int HEIGHT = 300;
    private static final int LEFT = 56;
    private static final int RIGHT = 16;
    private static final int TOP = 64;
    private static final int BOTTOM = 30;
    private static final int LEGEND_Y = 36;

    private final String title;
    private final String unit;
    private final double[] xs;
    private final List<Series> series = new ArrayList<>();
    private final List<double[]> shades = new ArrayList<>();

    SvgChart(String title, String unit, double[] xs) {
        this.title = title;
        this.unit = unit;
        this.xs = xs;
    }

    SvgChart line(String name, String color, double[] values) {
        series.add(new Series(name, color, values));
        return this;
    }

    /** Shades [from, to) on the x axis, e.g. the seconds a fault was on; a chart may have several. */
    SvgChart shade(double from, double to) {
        shades.add(new double[] {from, to});
        return this;
    }

    String render() {
        double xMax = 1;
        for (double x : xs) {
            xMax = Math.max(xMax, x);
        }
        double yMax = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                if (Double.isFinite(v)) {
                    yMax = Math.max(yMax, v);
                }
            }
        }
        yMax = yMax <= 0 ? 1 : niceCeiling(yMax);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %d %d' width='100%%' role='img' "
                        + "style='height:auto;display:block'><title>%s</title>",
                WIDTH, HEIGHT, HtmlReport.escape(title)));
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='16' font-size='13' font-weight='bold'>%s</text>",
                LEFT, HtmlReport.escape(title)));
        for (double[] shade : shades) {
            double x0 = LEFT + plotW * shade[0] / xMax;
            double x1 = LEFT + plotW * Math.min(shade[1], xMax) / xMax;
            svg.append(String.format(Locale.ROOT,
                    "<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='#f6d5d5'><title>disturbance</title></rect>",
                    x0, TOP, Math.max(0, x1 - x0), plotH));
        }
        for (int i = 0; i <= 4; i++) {
            double y = TOP + plotH - plotH * i / 4.0;
            svg.append(String.format(Locale.ROOT,
                    "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#ddd'/><text x='%d' y='%.1f' font-size='10' "
                            + "text-anchor='end'>%s</text>", LEFT, WIDTH - RIGHT, y, y, LEFT - 4, y + 3,
                    format(yMax * i / 4)));
        }
        svg.append(String.format(Locale.ROOT, "<text x='4' y='%d' font-size='11'>%s</text>", TOP - 10,
                HtmlReport.escape(unit)));
        svg.append(String.format(Locale.ROOT,
                "<text x='%d' y='%d' font-size='10' text-anchor='end'>%s s</text>", WIDTH - RIGHT, HEIGHT - 6,
                format(xMax)));
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='10'>0 s</text>", LEFT, HEIGHT - 6));
        int legendX = LEFT;
        int legendY = LEGEND_Y;
        for (Series s : series) {
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < Math.min(xs.length, s.values().length); i++) {
                double v = s.values()[i];
                if (!Double.isFinite(v) || v < 0) {
                    continue;
                }
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + plotW * xs[i] / xMax,
                        TOP + plotH - plotH * Math.min(v, yMax) / yMax));
            }
            svg.append(String.format(Locale.ROOT,
                    "<polyline fill='none' stroke='%s' stroke-width='1.6' points='%s'><title>%s</title></polyline>",
                    s.color(), points.toString().trim(), HtmlReport.escape(s.name())));
            int legendWidth = 24 + 7 * s.name().length();
            if (legendX + legendWidth > WIDTH - RIGHT && legendX > LEFT) {
                legendX = LEFT;
                legendY += 14;
            }
            svg.append(String.format(Locale.ROOT,
                    "<rect x='%d' y='%d' width='10' height='10' fill='%s'/><text x='%d' y='%d' font-size='11'>%s</text>",
                    legendX, legendY - 9, s.color(), legendX + 14, legendY, HtmlReport.escape(s.name())));
            legendX += legendWidth;
        }
        return svg.append("</svg>").toString();
    }

    private static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (v <= step * magnitude) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String format(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
