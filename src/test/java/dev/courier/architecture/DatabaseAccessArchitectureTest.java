package dev.courier.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;

/** Only the db package may touch a DataSource, a Connection or the pool: every other borrow goes through Database. */
class DatabaseAccessArchitectureTest {

    @Test
    void noClassOutsideTheDbPackageTouchesAConnectionOrDataSource() {
        noClasses().that().resideOutsideOfPackage("dev.courier.db..")
                .should().dependOnClassesThat().haveFullyQualifiedName("java.sql.Connection")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("javax.sql.DataSource")
                .orShould().dependOnClassesThat().resideInAPackage("com.zaxxer.hikari..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.sql.DriverManager")
                .because("connections are lent only inside Database's callbacks, where each lease has a call site")
                .check(ProductionClasses.ALL);
    }

    @Test
    void noClassOutsideTheDbPackageOpensAJdbiHandleOrReachesItsConnection() {
        noClasses().that().resideOutsideOfPackage("dev.courier.db..")
                .should().callMethod(org.jdbi.v3.core.Handle.class, "getConnection")
                .orShould().callMethod(org.jdbi.v3.core.Jdbi.class, "open")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("org.jdbi.v3.core.Jdbi")
                .because("a handle that outlives its callback is a leak waiting to happen")
                .check(ProductionClasses.ALL);
    }
}
