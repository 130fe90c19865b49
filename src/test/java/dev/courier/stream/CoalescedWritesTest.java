package dev.courier.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoalescedWritesTest {

    private final List<String> flushed = new ArrayList<>();

    private CoalescedWrites.Target target(String name) {
        return () -> flushed.add(name);
    }

    @Test
    void outsideATaskFramesAreNotDeferred() {
        CoalescedWrites.Target a = target("a");

        assertThat(CoalescedWrites.defer(a)).isFalse();
        assertThat(flushed).isEmpty();
    }

    @Test
    void eachTargetOfATaskIsFlushedOnceAfterTheTaskInTheOrderFirstTouched() {
        CoalescedWrites.Target a = target("a");
        CoalescedWrites.Target b = target("b");

        CoalescedWrites.run(() -> {
            assertThat(CoalescedWrites.defer(b)).isTrue();
            assertThat(CoalescedWrites.defer(a)).isTrue();
            assertThat(CoalescedWrites.defer(b)).isTrue();
            assertThat(flushed).as("nothing is written while the task runs").isEmpty();
        });

        assertThat(flushed).containsExactly("b", "a");
        assertThat(CoalescedWrites.defer(a)).as("the task is over").isFalse();
    }

    @Test
    void aTaskThatFailsStillFlushesWhatItDeferred() {
        CoalescedWrites.Target a = target("a");

        assertThatThrownBy(() -> CoalescedWrites.run(() -> {
            CoalescedWrites.defer(a);
            throw new IllegalStateException("answering failed");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(flushed).containsExactly("a");
        assertThat(CoalescedWrites.defer(a)).isFalse();
    }

    @Test
    void aNestedTaskLeavesTheFlushToTheOuterOne() {
        CoalescedWrites.Target a = target("a");

        CoalescedWrites.run(() -> {
            CoalescedWrites.run(() -> CoalescedWrites.defer(a));
            assertThat(flushed).isEmpty();
        });

        assertThat(flushed).containsExactly("a");
    }

    @Test
    void anotherThreadSendsAtOnceWhileATaskRuns() throws Exception {
        CoalescedWrites.Target a = target("a");
        boolean[] deferredElsewhere = new boolean[1];

        CoalescedWrites.run(() -> {
            Thread other = Thread.ofPlatform().start(() -> deferredElsewhere[0] = CoalescedWrites.defer(a));
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        assertThat(deferredElsewhere[0]).isFalse();
        assertThat(flushed).isEmpty();
    }
}
