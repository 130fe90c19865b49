package dev.courier.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a static field that {@link TestServerExtension} fills before the test class's first {@code @BeforeAll}: a
 * {@link TestServer} field gets the server every test of the class shares, an {@link ApiClient} field a client of it.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface SharedServer {
}
