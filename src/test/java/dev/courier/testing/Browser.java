package dev.courier.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which {@code bin/test} installs
 * when missing), with its own empty profile, so two of them are two different people. Screenshots go to
 * {@code target/screenshots/}.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final String name;
    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path profile;

    private Browser(String name, ChromeDriverService service, ChromeDriver driver, Path profile) {
        this.name = name;
        this.service = service;
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts a browser; {@code name} prefixes its screenshots. */
    public static Browser open(String name) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                    + "; bin/test installs them (apt-get install -y chromium chromium-driver)");
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("courier-browser-" + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,900", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            return new Browser(name, service, driver, profile);
        } catch (RuntimeException e) {
            service.stop();
            deleteTree(profile);
            throw e;
        }
    }

    public WebDriver driver() {
        return driver;
    }

    public void get(String url) {
        driver.get(url);
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Clears a field and types into it, as a person would. */
    public void type(String css, String text) {
        WebElement field = waitForVisible(css, Duration.ofSeconds(10));
        field.clear();
        field.sendKeys(text);
    }

    /** Clicks the first visible match; a page that redraws the element meanwhile gets the new one clicked. */
    public void click(String css) {
        waitUntil(Duration.ofSeconds(10), css + " to be clicked", d -> {
            try {
                WebElement element = d.findElements(By.cssSelector(css)).stream().filter(WebElement::isDisplayed)
                        .findFirst().orElse(null);
                if (element == null) {
                    return null;
                }
                element.click();
                return true;
            } catch (StaleElementReferenceException redrawn) {
                return null;
            }
        });
    }

    public WebElement waitForVisible(String css, Duration timeout) {
        return waitUntil(timeout, css + " to be visible", d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.stream().filter(WebElement::isDisplayed).findFirst().orElse(null);
        });
    }

    /** Waits until an element matching {@code css} shows text containing {@code text}; returns it. */
    public WebElement waitForText(String css, String text, Duration timeout) {
        return waitUntil(timeout, css + " to contain \"" + text + "\"", d -> d.findElements(By.cssSelector(css))
                .stream().filter(e -> e.isDisplayed() && e.getText().contains(text)).findFirst().orElse(null));
    }

    public void waitForAbsent(String css, Duration timeout) {
        waitUntil(timeout, css + " to disappear",
                d -> d.findElements(By.cssSelector(css)).stream().noneMatch(WebElement::isDisplayed) ? true : null);
    }

    /**
     * Polls {@code condition} until it answers non-null (and not false). On timeout, the failure names what was
     * awaited, takes a screenshot and carries the page's console, which is where a script error would show.
     */
    public <T> T waitUntil(Duration timeout, String what, Function<WebDriver, T> condition) {
        try {
            return new WebDriverWait(driver, timeout, Duration.ofMillis(100))
                    .ignoring(StaleElementReferenceException.class).until(condition::apply);
        } catch (TimeoutException e) {
            Path shot = screenshot("timeout");
            throw new AssertionError(name + ": waited " + timeout.toSeconds() + " s for " + what
                    + " (screenshot " + shot + ")\nbrowser console:\n" + String.join("\n", consoleLines()), e);
        }
    }

    /** Cuts the page's network off, or gives it back, as a lost Wi-Fi would (Chromium's network emulation). */
    public void setOffline(boolean offline) {
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of(
                "offline", offline, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
    }

    /** Lets the page save downloads, into {@code dir} (headless Chromium refuses them unless told). */
    public void allowDownloadsTo(Path dir) {
        driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow",
                "downloadPath", dir.toAbsolutePath().toString(), "eventsEnabled", true));
    }

    public Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Saves a screenshot as {@code target/screenshots/<browser>-<label>.png} and returns its path. */
    public Path screenshot(String label) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + "-" + label + ".png");
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException | RuntimeException e) {
            return Path.of("(no screenshot: " + e + ")");
        }
    }

    /** Console lines logged since the last call (each entry is handed out once by the driver). */
    public List<String> consoleLines() {
        try {
            return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .map(LogEntry::toString).toList();
        } catch (RuntimeException e) {
            return List.of("(console unavailable: " + e + ")");
        }
    }

    public Map<String, Object> sessionStorage() {
        @SuppressWarnings("unchecked")
        Map<String, Object> storage = (Map<String, Object>) script(
                "const o = {}; for (let i = 0; i < sessionStorage.length; i++) {"
                        + " const k = sessionStorage.key(i); o[k] = sessionStorage.getItem(k); } return o;");
        return storage;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary profile left behind is harmless
        }
    }
}
