package dev.courier.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The load tester is a client of the public contract: of the server it shares only the JSON mapper and the
 * contract's error codes (and {@code dev.courier.platform}, which belongs to neither: readings of the process and
 * the host), so that it could leave for a module of its own. Its parts depend on one another in one
 * direction only.
 */
class LoadtestArchitectureTest {

    private static final String LOADTEST = "dev.courier.loadtest";
    private static final Set<String> SHARED_WITH_THE_SERVER = Set.of("dev.courier.web.Json", "dev.courier.web.ErrorCode");
    private static final String NEITHERS = "dev.courier.platform";

    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.courier");

    @Test
    void theLoadTesterUsesNothingOfTheServerButItsJsonMapperAndErrorCodes() {
        noClasses().that().resideInAPackage(LOADTEST + "..")
                .should().dependOnClassesThat(SERVER_CLASSES_NOT_SHARED)
                .because("the load tester drives the server through its contract only")
                .check(PRODUCTION);
    }

    @Test
    void theLoadTestersPartsDependOnOneAnotherWithoutCycles() {
        slices().assignedFrom(LOADTEST_PARTS).should().beFreeOfCycles().check(PRODUCTION);
    }

    private static final DescribedPredicate<JavaClass> SERVER_CLASSES_NOT_SHARED = DescribedPredicate.describe(
            "are classes of the server other than " + SHARED_WITH_THE_SERVER,
            c -> c.getPackageName().startsWith("dev.courier.") && !inLoadtest(c)
                    && !c.getPackageName().equals(NEITHERS) && !SHARED_WITH_THE_SERVER.contains(c.getName()));

    /** One slice per sub-package of the load tester, and one for its top level (the options and scenarios). */
    private static final SliceAssignment LOADTEST_PARTS = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            if (!inLoadtest(c)) {
                return SliceIdentifier.ignore();
            }
            String p = c.getPackageName();
            return SliceIdentifier.of(p.equals(LOADTEST) ? "loadtest" : p.substring(LOADTEST.length() + 1).split("\\.")[0]);
        }

        @Override
        public String getDescription() {
            return "the parts of the load tester";
        }
    };

    private static boolean inLoadtest(JavaClass c) {
        return c.getPackageName().equals(LOADTEST) || c.getPackageName().startsWith(LOADTEST + ".");
    }
}
