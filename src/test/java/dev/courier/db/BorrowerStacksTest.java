package dev.courier.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class BorrowerStacksTest {

    private final BorrowerStacks stacks = new BorrowerStacks();

    @Test
    void borrowsThroughOneLambdaShareTheStackOfTheFirst() {
        List<Throwable> captured = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Supplier<String> callback = () -> "the same line every time";
            captured.add(stacks.capture("messages.send", callback.getClass()));
        }

        assertThat(captured).hasSize(3).allSatisfy(stack -> assertThat(stack).isSameAs(captured.getFirst()));
        assertThat(captured.getFirst()).hasMessage("borrowed by messages.send");
    }

    @Test
    void anotherLineWithTheSameCallSiteNameGetsAStackOfItsOwn() {
        Supplier<String> here = () -> "here";
        Supplier<String> there = () -> "there";

        Throwable first = stacks.capture("messages.send", here.getClass());
        Throwable second = stacks.capture("messages.send", there.getClass());

        assertThat(second).isNotSameAs(first);
        assertThat(stacks.capture("messages.send", here.getClass())).isSameAs(first);
    }
}
