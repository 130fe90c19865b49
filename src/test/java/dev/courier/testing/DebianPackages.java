package dev.courier.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Installs a Debian package a test needs, as bin/test does for the suite: only as root and where apt-get exists. */
public final class DebianPackages {

    private DebianPackages() {
    }

    /** Tries to install {@code name} for the test that found {@code what} missing; says so, never throws. */
    public static void install(String name, String what) {
        if (!"root".equals(System.getProperty("user.name")) || !Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            return;
        }
        System.err.println(what + " not found; installing Debian's " + name + " package");
        try {
            Process process = new ProcessBuilder("sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive "
                    + "apt-get install -y -qq --no-install-recommends " + name).inheritIO().start();
            if (!process.waitFor(600, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            System.err.println("could not install " + name + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
