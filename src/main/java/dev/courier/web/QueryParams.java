package dev.courier.web;

import io.javalin.http.Context;

/** Reads path and query parameters with the contract's errors. */
public final class QueryParams {

    private QueryParams() {
    }

    /** An id in the path; anything that is not a positive int64 names no resource, so it is {@code 404}. */
    public static long pathId(Context ctx, String name) {
        String raw = ctx.pathParam(name);
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // falls through to not_found
        }
        throw ApiException.notFound("no such resource");
    }

    public static int intParam(Context ctx, String name, int defaultValue, int min, int max) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // falls through to validation_failed
        }
        throw ApiException.invalid(name, name + " must be an integer from " + min + " to " + max);
    }

    /** An optional non-negative int64 query parameter; null when absent. */
    public static Long optionalSeq(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            long value = Long.parseLong(raw);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // falls through to validation_failed
        }
        throw ApiException.invalid(name, name + " must be a non-negative integer");
    }

    /** A {@code true}/{@code false} query parameter; absent is {@code defaultValue}, anything else is invalid. */
    public static boolean booleanParam(Context ctx, String name, boolean defaultValue) {
        String value = ctx.queryParam(name);
        if (value == null) {
            return defaultValue;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.invalid(name, name + " must be true or false");
        };
    }
}
