package dev.courier.testing;

import dev.courier.config.CourierConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * One {@link TestServer} for a whole test class: started before the class's first {@code @BeforeAll}, handed to its
 * {@link SharedServer} fields, and closed after its last {@code @AfterAll}, also when a test or a fixture fails.
 *
 * <p>A class on the default test configuration is annotated {@code @ExtendWith(TestServerExtension.class)}; a class
 * that needs a configuration of its own registers one instead, for example
 * {@code @RegisterExtension static final TestServerExtension sharedServer = TestServerExtension.configuredBy(
 * TestServer::patientPool);}. Either way it declares {@code @SharedServer private static ApiClient api;} and, if
 * its tests reach the server itself, {@code @SharedServer private static TestServer server;}.
 *
 * <p>A test that needs a server of its own (a configuration per test, a restart, two nodes on one database) starts
 * one with {@link TestServer#start} in a try-with-resources instead.
 */
public final class TestServerExtension implements BeforeAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(TestServerExtension.class);

    private final UnaryOperator<CourierConfig> customize;

    /** The default test configuration ({@link TestServer#defaultConfig}); used by {@code @ExtendWith}. */
    public TestServerExtension() {
        this(UnaryOperator.identity());
    }

    private TestServerExtension(UnaryOperator<CourierConfig> customize) {
        this.customize = customize;
    }

    /** A shared server whose default test configuration {@code customize} changes, as in {@link TestServer#start}. */
    public static TestServerExtension configuredBy(UnaryOperator<CourierConfig> customize) {
        return new TestServerExtension(customize);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        Class<?> testClass = context.getRequiredTestClass();
        List<Field> fields = sharedServerFields(testClass);
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        // Registered both with @ExtendWith and @RegisterExtension, the class would get two servers and one of the two
        // configurations, depending on JUnit's order.
        if (store.get(testClass) != null) {
            throw new ExtensionConfigurationException(testClass.getName()
                    + " registers TestServerExtension twice: use @ExtendWith or one @RegisterExtension field");
        }
        TestServer server = TestServer.start(customize);
        // JUnit closes an AutoCloseable held in the class's store once the class is done, after its @AfterAll.
        store.put(testClass, server);
        ApiClient client = server.client();
        for (Field field : fields) {
            field.setAccessible(true);
            field.set(null, field.getType() == TestServer.class ? server : client);
        }
    }

    /** The fields to fill, checked before a server starts, so that a wrong declaration fails at once. */
    private static List<Field> sharedServerFields(Class<?> testClass) {
        List<Field> fields = AnnotationSupport.findAnnotatedFields(testClass, SharedServer.class);
        if (fields.isEmpty()) {
            throw new ExtensionConfigurationException(testClass.getName()
                    + " uses TestServerExtension but has no @SharedServer field to receive the server or a client");
        }
        for (Field field : fields) {
            if (!Modifier.isStatic(field.getModifiers()) || Modifier.isFinal(field.getModifiers())
                    || (field.getType() != TestServer.class && field.getType() != ApiClient.class)) {
                throw new ExtensionConfigurationException("@SharedServer field " + testClass.getSimpleName() + "."
                        + field.getName() + " must be static, not final, and a TestServer or an ApiClient");
            }
        }
        return fields;
    }
}
