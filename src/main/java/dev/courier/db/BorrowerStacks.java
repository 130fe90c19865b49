package dev.courier.db;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stack a leak report shows for a borrow, captured once per borrowing code location instead of on every
 * borrow. A full stack trace of a request thread is tens of frames deep and costs more than the query that
 * follows it. Borrows from the same line of code share a stack that differs only below the request's entry point,
 * which a leak report does not need.
 *
 * <p>The location is the class of the callback handed to {@link Database}: every lambda expression and method
 * reference in the code has a class of its own, so the class names the borrowing line without looking at the stack.
 * Walking the stack for that line instead cost a message writer about a tenth of its CPU. A borrow without a callback
 * (a fault injection's deliberate leak) walks to the first frame outside the database layer.
 */
final class BorrowerStacks {

    /** Far above the number of borrowing lines in the code; beyond it stacks are captured per borrow again. */
    private static final int MAX_LOCATIONS = 4_096;
    private static final StackWalker WALKER = StackWalker.getInstance();

    private final Map<Location, Throwable> byLocation = new ConcurrentHashMap<>();

    /** A borrowing code location: the call site's name and the callback's class, or the first frame's name. */
    private record Location(String callSite, Object where) {
    }

    /** The stack of a borrow made here by {@code callSite}; {@code callback} is its callback's class, or null. */
    Throwable capture(String callSite, Class<?> callback) {
        Location key = new Location(callSite, callback != null ? callback : WALKER.walk(frames -> frames
                .filter(frame -> !isDatabaseLayer(frame.getClassName()))
                .findFirst()
                .map(frame -> frame.getClassName() + "." + frame.getMethodName() + ":" + frame.getLineNumber())
                .orElse("?")));
        Throwable known = byLocation.get(key);
        if (known != null) {
            return known;
        }
        Throwable stack = new Throwable("borrowed by " + callSite);
        if (byLocation.size() < MAX_LOCATIONS) {
            byLocation.putIfAbsent(key, stack);
        }
        return stack;
    }

    private static boolean isDatabaseLayer(String className) {
        return className.startsWith("dev.courier.db.") || className.startsWith("org.jdbi.")
                || className.startsWith("com.zaxxer.hikari.") || className.startsWith("java.");
    }
}
