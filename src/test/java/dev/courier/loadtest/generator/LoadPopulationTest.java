package dev.courier.loadtest.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.loadtest.LoadOptions;
import dev.courier.loadtest.client.VirtualUser;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LoadPopulationTest {

    @Test
    void theBusyGroupIsPlannedFirstWithTheFirstUsersWhoKeepTheirOtherConversations() {
        List<VirtualUser> users = LongStream.rangeClosed(1, 8).mapToObj(id -> new VirtualUser(id, "u" + id, "t" + id))
                .toList();

        List<LoadConversation> plan = LoadPopulation.plan(users, 0, 2, new LoadOptions.BusyGroup(0.5, 5));
        List<LoadConversation> without = LoadPopulation.plan(users, 0, 2, LoadOptions.BusyGroup.NONE);

        assertThat(plan.getFirst().type()).isEqualTo("group");
        assertThat(plan.getFirst().members()).extracting(VirtualUser::id).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(plan.subList(1, plan.size())).isEqualTo(without);
        assertThat(without).allMatch(c -> c.type().equals("direct")).hasSize(4);
    }
}
