package dev.courier.ops.alerts;

import java.util.List;

/** Told by the engine, on its own thread, when an alert fires or resolves, and after each evaluation. */
public interface AlertListener {

    void fired(Alert alert, Figures figures);

    void resolved(Alert alert, Figures figures);

    /** After every evaluation, with the alerts firing now. */
    default void evaluated(Figures figures, List<Alert> firing) {
    }
}
