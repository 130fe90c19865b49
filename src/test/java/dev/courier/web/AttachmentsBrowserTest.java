package dev.courier.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.testing.ApiClient;
import dev.courier.testing.ApiClient.TestUser;
import dev.courier.testing.Browser;
import dev.courier.testing.SharedServer;
import dev.courier.testing.TestServer;
import dev.courier.testing.TestServerExtension;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * A new user sends a picture and a PDF in the web client (picked with the button, plus a note dropped onto the
 * conversation), and the other member sees the picture and downloads the PDF, each in their own headless Chromium.
 */
@ExtendWith(TestServerExtension.class)
class AttachmentsBrowserTest {

    private static final Duration DELIVERY = Duration.ofSeconds(20);
    private static final Duration STEP = Duration.ofSeconds(15);
    private static final String TEXT = "The picture and the plan";

    @SharedServer
    private static TestServer server;
    @SharedServer
    private static ApiClient api;

    @Test
    void oneMemberSendsAPictureAndAPdfAndTheOtherSeesAndDownloadsThem() throws Exception {
        Path files = Files.createTempDirectory(Path.of("target"), "browser-files-");
        Path picture = files.resolve("sunset.png");
        Files.write(picture, png());
        Path pdf = files.resolve("plan.pdf");
        Files.write(pdf, pdf());
        Path downloads = Files.createTempDirectory(Path.of("target"), "browser-downloads-");
        String aliceName = ApiClient.uniqueUsername("alice");
        String bobName = ApiClient.uniqueUsername("bob");
        List<String> console = new ArrayList<>();
        try (Browser alice = Browser.open("files-alice"); Browser bob = Browser.open("files-bob")) {
            ChatPage.register(alice, server.baseUrl(), aliceName, "Alice");
            ChatPage.register(bob, server.baseUrl(), bobName, "Bob");
            ChatPage.startDirect(alice, bobName);

            alice.find("#attach-input").sendKeys(picture.toAbsolutePath() + "\n" + pdf.toAbsolutePath());
            // a file dropped onto the conversation, as a person drags one from their desktop
            alice.script("const data = new DataTransfer();"
                    + "data.items.add(new File(['dropped words'], 'notes.txt', {type: 'text/plain'}));"
                    + "const zone = document.getElementById('conversation');"
                    + "zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));"
                    + "zone.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));");
            alice.waitUntil(STEP, "three uploads ready", d -> alice.findAll("#attachment-tray .upload.uploaded")
                    .size() == 3 ? true : null);
            assertThat(alice.findAll("#attachment-tray progress")).allSatisfy(bar ->
                    assertThat(bar.getDomProperty("value")).isEqualTo("1"));
            alice.screenshot("1-tray");
            ChatPage.send(alice, TEXT);
            ChatPage.waitForAcknowledged(alice, TEXT);
            alice.waitForAbsent("#attachment-tray .upload", STEP);
            alice.screenshot("2-sent");

            bob.allowDownloadsTo(downloads);
            bob.waitForText("#conversation-list .conversation-link", "Alice", DELIVERY);
            bob.click("#conversation-list .conversation-link");
            WebElement message = ChatPage.message(bob, TEXT);
            WebElement preview = bob.waitUntil(STEP, "the picture's preview to load", d -> {
                WebElement image = message.findElement(By.cssSelector(".attachment-preview"));
                Object width = bob.script("return arguments[0].complete ? arguments[0].naturalWidth : 0;", image);
                return ((Number) width).intValue() == 64 ? image : null;
            });
            assertThat(preview.getDomAttribute("src")).startsWith("blob:");
            assertThat(message.findElements(By.cssSelector(".attachment-download"))).extracting(WebElement::getText)
                    .containsExactly("sunset.png (" + kb(Files.size(picture)) + ")", "plan.pdf (1.0 KB)",
                            "notes.txt (13 B)");
            assertThat(message.findElements(By.cssSelector(".attachment-preview"))).as("only the picture is shown")
                    .hasSize(1);
            bob.screenshot("3-received");

            message.findElements(By.cssSelector(".attachment-download")).get(1).click();
            Path saved = downloads.resolve("plan.pdf");
            bob.waitUntil(STEP, "plan.pdf to be saved", d -> Files.exists(saved) ? true : null);
            bob.waitUntil(STEP, "plan.pdf to be whole", d -> {
                try {
                    return java.util.Arrays.equals(Files.readAllBytes(saved), Files.readAllBytes(pdf)) ? true : null;
                } catch (IOException e) {
                    return null;
                }
            });

            String bobToken = (String) bob.script(
                    "return JSON.parse(sessionStorage.getItem('courier.session')).token;");
            assertThat(bobToken).isNotBlank();
            assertThat(bob.driver().getPageSource()).as("no token in the page's markup or URLs")
                    .doesNotContain(bobToken);
            console.addAll(alice.consoleLines());
            console.addAll(bob.consoleLines());
        }
        assertThat(console).noneMatch(line -> line.contains("Content Security Policy"));

        TestUser bobUser = api.login(bobName);
        long conversationId = api.get("/v1/conversations", bobUser.token()).json().path("conversations").get(0)
                .path("id").asLong();
        JsonNode stored = api.get("/v1/conversations/" + conversationId + "/messages", bobUser.token()).json()
                .path("messages").get(0);
        assertThat(stored.path("body").asText()).isEqualTo(TEXT);
        assertThat(stored.path("attachments")).extracting(a -> a.path("contentType").asText())
                .containsExactly("image/png", "application/pdf", "text/plain");
    }

    /** A size as the page writes it (attachments.js formatSize). */
    private static String kb(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes / 1024.0;
        return (value < 10 ? String.format("%.1f", value) : String.valueOf(Math.round(value))) + " KB";
    }

    /** A 64 x 48 picture: a sky and a sun. */
    private static byte[] png() throws IOException {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(0xF4, 0x8C, 0x42));
        g.fillRect(0, 0, 64, 48);
        g.setColor(Color.YELLOW);
        g.fillOval(22, 14, 20, 20);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** A one-page PDF of exactly 1,024 bytes. */
    private static byte[] pdf() {
        String head = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                + "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
                + "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
                + "trailer << /Root 1 0 R >>\n%";
        String tail = "\n%%EOF\n";
        return (head + "x".repeat(1024 - head.length() - tail.length()) + tail).getBytes(StandardCharsets.US_ASCII);
    }
}
