package dev.courier.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The artifacts of {@code bin/courier package} in {@code target/dist}. The packaging tests run after Maven's
 * {@code package} phase (Failsafe), so {@code target/courier.jar} is current; the tarball and the .deb come from the
 * {@code dist} profile, and where target/dist lacks them, or holds ones older than the jar, they are built here with
 * the Maven Wrapper, running only those two goals against the jar that is there.
 */
final class Dist {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path DIST = ROOT.resolve("target/dist");
    static final Path JAR = ROOT.resolve("target/courier.jar");

    private Dist() {
    }

    static String version() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8);
        int start = pom.indexOf("<version>") + "<version>".length();
        return pom.substring(start, pom.indexOf("</version>", start));
    }

    static synchronized Path tarball() throws IOException, InterruptedException {
        Path tarball = DIST.resolve("courier-" + version() + ".tar.gz");
        if (!current(tarball)) {
            build("assembly:single@courier-tarball");
        }
        return tarball;
    }

    static synchronized Path deb() throws IOException, InterruptedException {
        Optional<Path> deb = find("courier_", "_all.deb");
        if (deb.isEmpty() || !current(deb.get())) {
            build("jdeb:jdeb@courier-deb");
            deb = find("courier_", "_all.deb");
        }
        return deb.orElseThrow(() -> new AssertionError("the dist build made no courier_*_all.deb in " + DIST));
    }

    /** The image archive, if {@code bin/courier package} (or the image test's build) left one. */
    static Optional<Path> image() throws IOException {
        return Optional.of(DIST.resolve("courier-" + version() + "-image.tar")).filter(Files::isRegularFile);
    }

    private static Optional<Path> find(String prefix, String suffix) throws IOException {
        if (!Files.isDirectory(DIST)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(DIST)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && p.getFileName().toString().endsWith(suffix)).findFirst();
        }
    }

    private static boolean current(Path artifact) throws IOException {
        if (!Files.isRegularFile(artifact)) {
            return false;
        }
        FileTime made = Files.getLastModifiedTime(artifact);
        return made.compareTo(Files.getLastModifiedTime(JAR)) >= 0;
    }

    private static void build(String goal) throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new AssertionError(JAR + " is missing: the packaging tests run after Maven's package phase (mvn verify)");
        }
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("mvnw").toString(), "-B", "-q", "-ntp",
                "-f", ROOT.resolve("pom.xml").toString(), "-Pdist", goal));
        System.out.println("building " + goal + ": " + String.join(" ", command));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().merge("MAVEN_OPTS", " --sun-misc-unsafe-memory-access=allow", String::concat);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new AssertionError("mvnw -Pdist " + goal + " failed:\n" + output);
        }
    }
}
