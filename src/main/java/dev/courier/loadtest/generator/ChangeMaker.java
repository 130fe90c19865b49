package dev.courier.loadtest.generator;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.client.ApiResponse;
import dev.courier.loadtest.client.VirtualUser;
import dev.courier.loadtest.measure.BusyGroupFigures;
import dev.courier.web.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Makes the changes of a run's mix ({@link LoadOptions.ChangeMix}): chooses the conversation as sends are chosen (the
 * busy group's share to the busy group), a recent acknowledged message of it, and who changes it, then edits it
 * ({@code PATCH}) or reacts to it ({@code PUT}/{@code DELETE} of a reaction) over REST, and counts how it ended.
 */
final class ChangeMaker {

    private final LoadPopulation population;
    /** Null when the run has no busy group. */
    private final BusyGroupFigures busyGroup;
    private final ChangeTargets targets;
    private final AsyncRest rest;
    private final ChangeFigures figures;
    private final AtomicLong made = new AtomicLong();
    private final AtomicLong nextConversation = new AtomicLong();

    ChangeMaker(LoadPopulation population, BusyGroupFigures busyGroup, ChangeTargets targets, AsyncRest rest,
                ChangeFigures figures) {
        this.population = population;
        this.busyGroup = busyGroup;
        this.targets = targets;
        this.rest = rest;
        this.figures = figures;
    }

    /**
     * Starts a change of {@code kind}, intended at {@code intendedNanos}; the future completes once it has ended and
     * been counted. Empty when there is nothing to change yet (no acknowledged message in the conversation chosen,
     * or every reaction there still waits for its answer): the arrival is then a send.
     */
    Optional<CompletableFuture<Void>> start(LoadOptions.ChangeMix.Kind kind, long intendedNanos) {
        long n = made.get();
        LoadConversation c = busyGroup != null && busyGroup.goesToBusyGroup(n) ? population.busyGroup
                : population.others.get((int) (nextConversation.getAndIncrement() % population.others.size()));
        Optional<OutgoingChange> change = targets.anyRecent(c.id()).flatMap(target -> switch (kind) {
            case EDIT -> Optional.of(new OutgoingChange.Edit(c.id(), target.seq(), target.sender(),
                    "edited by load " + population.runId + " #" + n));
            case REACT -> targets.reaction(c.id(), target, anyMember(c));
            case SEND -> Optional.empty();
        });
        if (change.isEmpty()) {
            return Optional.empty();
        }
        made.incrementAndGet();
        figures.started(change.get());
        return Optional.of(request(change.get()).<Void>handle((answer, noAnswer) -> {
            if (noAnswer != null) {
                // a reaction that may or may not have been made stays unsettled (ChangeTargets)
                figures.failed(noAnswer instanceof CompletionException e ? e.getCause() : noAnswer);
                return null;
            }
            boolean made = answer.status() == 200 || answer.status() == 204;
            if (change.get() instanceof OutgoingChange.Reaction reaction) {
                targets.answered(reaction, made);
            }
            if (made) {
                figures.acked(intendedNanos, System.nanoTime());
            } else {
                figures.failed(SendFailure.ofAnswer(answer));
            }
            return null;
        }));
    }

    private static VirtualUser anyMember(LoadConversation c) {
        return c.members().get(ThreadLocalRandom.current().nextInt(c.members().size()));
    }

    /** The change's request; completes with the answer, or fails with a {@link SendFailure} when none came. */
    private CompletableFuture<ApiResponse> request(OutgoingChange change) {
        String message = "/v1/conversations/" + change.conversationId() + "/messages/" + change.seq();
        return switch (change) {
            case OutgoingChange.Edit edit -> rest.call(HttpMethod.PATCH, message, edit.actor().token(),
                    Json.write(Map.of("body", edit.body())));
            case OutgoingChange.Reaction r -> rest.call(r.takeBack() ? HttpMethod.DELETE : HttpMethod.PUT,
                    message + "/reactions/" + URLEncoder.encode(r.emoji(), StandardCharsets.UTF_8),
                    r.actor().token(), null);
        };
    }
}
