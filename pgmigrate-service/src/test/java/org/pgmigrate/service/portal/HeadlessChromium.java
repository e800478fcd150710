package org.pgmigrate.service.portal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's chromium, headless, driven through its chromedriver (packages {@code chromium} and
 * {@code chromium-driver}; {@code .ci/run} installs them). A fresh profile per browser, no background traffic, and
 * the flags a root user in a container needs. {@code ignoreCertificateErrors} accepts the service's self-signed
 * certificate. Screenshots go to {@code screenshots}.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final ChromeDriver driver;
    private final Path profile;
    private final Path screenshots;

    HeadlessChromium(Path screenshots, boolean ignoreCertificateErrors) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("The portal tests need Debian's chromium and chromium-driver: "
                    + "apt-get install -y chromium chromium-driver (.ci/run installs them).");
        }
        // Selenium's CDP version notice is noise: nothing here uses DevTools
        Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
        try {
            this.profile = Files.createTempDirectory("pgmigrate-chromium");
            this.screenshots = Files.createDirectories(screenshots);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--lang=en-US", "--force-device-scale-factor=1",
                "--user-data-dir=" + profile);
        if (ignoreCertificateErrors) {
            options.addArguments("--ignore-certificate-errors");
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogOutput(OutputStream.nullOutputStream()).build();
        this.driver = new ChromeDriver(service, options);
        resize(1440, 900);
    }

    ChromeDriver driver() {
        return driver;
    }

    /** The window's outer size; headless chromium keeps windows at least 500 pixels wide. */
    void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    WebElement waitFor(By by, Duration timeout) {
        return new WebDriverWait(driver, timeout).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    WebElement waitFor(By by) {
        return waitFor(by, Duration.ofSeconds(20));
    }

    void waitForText(By by, String text, Duration timeout) {
        new WebDriverWait(driver, timeout).until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Saves what the window shows as {@code name}.png. */
    Path screenshot(String name) {
        Path file = screenshots.resolve(name + ".png");
        try {
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * The visible form controls and buttons that have no accessible name (a label, aria-label, aria-labelledby, or
     * a button's text), described for an assertion message.
     */
    @SuppressWarnings("unchecked")
    List<String> unlabelledControls() {
        return (List<String>) js("""
                return [...document.querySelectorAll('input, select, textarea, button')]
                  .filter((e) => e.getClientRects().length > 0 || (e.type === 'radio' && e.closest('.segment')))
                  .filter((e) => !((e.labels && e.labels.length) || e.getAttribute('aria-label')
                    || e.getAttribute('aria-labelledby')
                    || (e.tagName === 'BUTTON' && e.textContent.trim())))
                  .map((e) => e.outerHTML.slice(0, 120));""");
    }

    /** Whether the page itself scrolls sideways (a table scrolling inside its own region does not count). */
    boolean pageScrollsSideways() {
        return (Boolean) js("return document.documentElement.scrollWidth > document.documentElement.clientWidth;");
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary profile is harmless
            }
        }
    }
}
