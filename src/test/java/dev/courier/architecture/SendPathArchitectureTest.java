package dev.courier.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;

/**
 * The send path runs from the stream down into messages and back up through the bus only through interfaces that
 * messages owns ({@code AnnouncementSource}, {@code CommitPublisher}, {@code AnswerScope}) and the event sink, wired
 * in the composition root: messages and events never name the layers above them.
 */
class SendPathArchitectureTest {

    @Test
    void messagesAndEventsDependOnNeitherTheStreamNorTheBus() {
        noClasses().that().resideInAnyPackage("dev.courier.messages..", "dev.courier.events..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.courier.stream..", "dev.courier.bus..")
                .because("the stream and the bus plug into the send path through interfaces of messages and events, "
                        + "wired in server.CourierServer")
                .check(ProductionClasses.ALL);
    }
}
