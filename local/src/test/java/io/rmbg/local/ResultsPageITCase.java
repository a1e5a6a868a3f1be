package io.rmbg.local;

import io.rmbg.core.records.JobStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The results page in a real headless browser (Debian's {@code chromium} and {@code
 * chromium-driver}, which .ci/run installs): it shows a user's cut-outs, filters by tag, loads more
 * through the cursor, opens a job, draws the chart; another user sees none of it. Leaves a
 * screenshot in target/service-screenshot.png.
 */
class ResultsPageITCase {
    @TempDir static Path dir;
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static ServiceStack stack;
    private static WebDriver browser;
    private static String demo;
    private static String other;

    @BeforeAll
    static void start() throws Exception {
        stack = ServiceStack.start(dir);
        demo = stack.token("demo", false);
        other = stack.token("other", false);
        for (int i = 0; i < 30; i++) {
            stack.completed(
                    "demo",
                    NOW.minus(i * 7, ChronoUnit.HOURS),
                    "{\"threshold\":0.5}",
                    i % 2 == 0 ? "cat" : "dog");
        }
        stack.unfinished("demo", NOW.minus(3, ChronoUnit.DAYS), JobStatus.FAILED, "cat");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--window-size=1280,1000");
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                        .usingAnyFreePort()
                        .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    private static List<WebElement> cards() {
        return browser.findElements(By.cssSelector("#gallery .card"));
    }

    private static void signIn(String token) {
        browser.get(stack.service.url());
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.id("save-token")).click();
    }

    private static void awaitCutouts(int cards) {
        waiting()
                .until(
                        d ->
                                cards().size() == cards
                                        && d
                                                .findElements(By.cssSelector("#gallery img.cutout"))
                                                .stream()
                                                .allMatch(
                                                        img ->
                                                                img.getAttribute("src") != null
                                                                        && img.getAttribute("src")
                                                                                .startsWith("blob:")
                                                                        && ((Number)
                                                                                                ((org
                                                                                                                        .openqa
                                                                                                                        .selenium
                                                                                                                        .JavascriptExecutor)
                                                                                                                d)
                                                                                                        .executeScript(
                                                                                                                "return arguments[0].naturalWidth",
                                                                                                                img))
                                                                                        .intValue()
                                                                                > 0));
    }

    @Test
    void aUserBrowsesFiltersPagesAndOpensTheirResults() throws Exception {
        signIn(demo);
        awaitCutouts(24); // the first page
        assertThat(browser.findElement(By.id("who")).getText()).contains("demo");
        assertThat(browser.findElement(By.id("load-more")).isDisplayed()).isTrue();
        // The chart has a bar per day of the last 30, some of them with jobs.
        waiting().until(d -> !d.findElements(By.cssSelector("#chart rect.bar")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("#chart rect.bar"))).hasSize(30);
        assertThat(browser.findElements(By.cssSelector("#chart polyline.err"))).hasSize(1);

        // Load more: the rest of the 31 jobs, no card twice.
        browser.findElement(By.id("load-more")).click();
        waiting().until(d -> cards().size() == 31);
        assertThat(cards().stream().map(c -> c.getAttribute("data-job-id")).distinct()).hasSize(31);
        assertThat(browser.findElement(By.id("load-more")).isDisplayed()).isFalse();
        awaitCutouts(31);

        // Hover shows the original instead of the cut-out.
        WebElement first = cards().get(0);
        String cutout = first.findElement(By.cssSelector("img.cutout")).getAttribute("src");
        new Actions(browser).moveToElement(first).perform();
        waiting()
                .until(
                        d ->
                                !cutout.equals(
                                        first.findElement(By.cssSelector("img.cutout"))
                                                .getAttribute("src")));

        Path screenshot = Path.of("target", "service-screenshot.png");
        Files.createDirectories(screenshot.getParent());
        Files.copy(
                ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(),
                screenshot,
                StandardCopyOption.REPLACE_EXISTING);

        // Filter by tag: 15 "cat" cut-outs and the failed "cat" job.
        browser.findElement(By.id("tag")).sendKeys("cat");
        browser.findElement(By.id("apply")).click();
        waiting().until(d -> cards().size() == 16);
        assertThat(cards()).allSatisfy(c -> assertThat(c.getText()).contains("cat"));
        assertThat(browser.findElements(By.cssSelector("#gallery .card[data-status=failed]")))
                .hasSize(1);

        // The detail view shows the three images of a job.
        cards().get(0).click();
        waiting().until(d -> d.findElement(By.id("detail")).isDisplayed());
        waiting()
                .until(
                        d ->
                                d.findElements(By.cssSelector("#detail-images img")).size() == 3
                                        && d.findElement(By.cssSelector("img.detail-cutout"))
                                                .getAttribute("src")
                                                .startsWith("blob:"));
        assertThat(browser.findElement(By.id("detail-fields")).getText()).contains("threshold");
    }

    @Test
    void anotherUserSeesNothingOfTheFirst() {
        signIn(other);
        waiting().until(d -> d.findElement(By.id("who")).getText().contains("other"));
        waiting().until(d -> d.findElement(By.id("empty")).isDisplayed());
        assertThat(cards()).isEmpty();
        assertThat(browser.findElement(By.id("load-more")).isDisplayed()).isFalse();
    }
}
