package dev.courier;

import picocli.CommandLine;

/** Reads the version from the jar's manifest. */
final class CourierVersion implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = Courier.class.getPackage().getImplementationVersion();
        return new String[] {"courier " + (version == null ? "development build" : version)};
    }
}
