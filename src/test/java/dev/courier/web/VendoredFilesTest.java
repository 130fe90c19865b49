package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docs/vendored.md names every file under public/vendor with its version and checksum, and the files are those. */
class VendoredFilesTest {

    private static final Path VENDOR = Path.of("src/main/resources/public/vendor");
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| `[^`]+` \\| [^|]+ \\| [^|]+ \\| `([0-9a-f]{64})` \\|$",
            Pattern.MULTILINE);

    @Test
    void everyVendoredFileIsRecordedWithItsChecksum() throws IOException {
        Map<String, String> recorded = new LinkedHashMap<>();
        Matcher row = ROW.matcher(Files.readString(Path.of("docs/vendored.md")));
        while (row.find()) {
            recorded.put(row.group(1), row.group(2));
        }
        Map<String, String> present = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(VENDOR)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                present.put(VENDOR.relativize(file).toString().replace('\\', '/'), sha256(file));
            }
        }

        assertThat(present).as("files under public/vendor and their SHA-256, against docs/vendored.md")
                .isEqualTo(recorded);
    }

    @Test
    void theChartLibraryIsUplot1632() throws IOException {
        assertThat(Files.readString(VENDOR.resolve("uPlot.iife.min.js"))).startsWith(
                "/*! https://github.com/leeoniya/uPlot (v1.6.32) */");
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
