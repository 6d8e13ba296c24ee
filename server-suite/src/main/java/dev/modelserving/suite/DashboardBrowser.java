package dev.modelserving.suite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A real headless Chromium for the dashboard case, driven by Selenium through the system's chromedriver: Debian's
 * {@code chromium} and {@code chromium-driver} packages, or the executables named by {@code DASHBOARD_CHROME} and
 * {@code DASHBOARD_CHROMEDRIVER}. Selenium is given both paths, so it downloads nothing.
 */
final class DashboardBrowser implements AutoCloseable {

    /** Where the executables usually are. */
    private static final List<String> CHROMES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable");
    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver",
            "/usr/lib/chromium-browser/chromedriver");
    /** Set to {@code skip} to leave the browser case out on a machine without Chromium, saying so. */
    static final String SKIP_PROPERTY = "dashboard.browser";

    private final ChromeDriver driver;

    private DashboardBrowser(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Whether the case is left out on purpose ({@code -Ddashboard.browser=skip}). */
    static boolean skipped() {
        return "skip".equals(System.getProperty(SKIP_PROPERTY));
    }

    /**
     * Starts Chromium; fails, saying how to get it, when it cannot be found (a test that needs a browser does not
     * pass silently without one).
     */
    static DashboardBrowser start() {
        String chrome = find("DASHBOARD_CHROME", CHROMES);
        String chromedriver = find("DASHBOARD_CHROMEDRIVER", DRIVERS);
        if (chrome == null || chromedriver == null) {
            String variable = chrome == null ? "DASHBOARD_CHROME" : "DASHBOARD_CHROMEDRIVER";
            String named = System.getenv(variable);
            throw new IllegalStateException("the dashboard case drives a real Chromium, and this machine has no "
                    + (chrome == null ? "Chromium" : "chromedriver") + " ("
                    + (named != null && !named.isBlank() ? variable + "=" + named + " is not an executable"
                            : "looked for " + (chrome == null ? CHROMES : DRIVERS) + " and on the PATH")
                    + "). Install Debian's packages: "
                    + "sudo apt-get install chromium chromium-driver (or set DASHBOARD_CHROME and"
                    + " DASHBOARD_CHROMEDRIVER to the executables); or leave the case out, knowingly, with -D"
                    + SKIP_PROPERTY + "=skip");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chrome);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1100", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver)).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new DashboardBrowser(driver);
    }

    /** The executable the variable names; else the first of the usual places, then of the PATH, that has one. */
    private static String find(String variable, List<String> candidates) {
        String named = System.getenv(variable);
        if (named != null && !named.isBlank()) {
            return Files.isExecutable(Path.of(named)) ? named : null;
        }
        for (String c : candidates) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            for (String c : candidates) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, Path.of(c).getFileName().toString());
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        return null;
    }

    void open(String url) {
        driver.get(url);
    }

    String url() {
        return driver.getCurrentUrl();
    }

    /** The text of the first element the CSS selector finds, or null when there is none. */
    String text(String css) {
        List<String> texts = texts(css);
        return texts.isEmpty() ? null : texts.get(0);
    }

    /** An attribute of the first element the CSS selector finds, or null. */
    String attribute(String css, String name) {
        List<String> values = attributes(css, name);
        return values.isEmpty() ? null : values.get(0);
    }

    /**
     * An attribute of every element the CSS selector finds, read in the page in one step (the page replaces
     * elements as it updates: reading them one by one from here could meet one already gone).
     */
    List<String> attributes(String css, String name) {
        return strings(driver.executeScript("return Array.from(document.querySelectorAll(arguments[0]),"
                + " e => e.getAttribute(arguments[1]))", css, name));
    }

    /** The texts of every element the CSS selector finds (as shown: trimmed), read in the page in one step. */
    List<String> texts(String css) {
        return strings(driver.executeScript("return Array.from(document.querySelectorAll(arguments[0]),"
                + " e => e.innerText.trim())", css));
    }

    private static List<String> strings(Object result) {
        List<String> out = new ArrayList<>();
        if (result instanceof List<?> list) {
            list.forEach(v -> out.add(v == null ? null : v.toString()));
        }
        return out;
    }

    /** The console's messages since the last call, at warning level or above. */
    List<String> consoleProblems() {
        List<String> problems = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.WARNING.intValue()) {
                problems.add(e.getLevel() + " " + e.getMessage());
            }
        }
        return problems;
    }

    /** A PNG of the window as it is now. */
    void screenshot(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() {
        driver.quit();
    }

    /** A metric name in a PromQL expression: an identifier followed by its label selector or range. */
    private static final Pattern METRIC = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*[{\\[]");
    /** A metric name as the first argument of Grafana's label_values(), with or without a selector. */
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");

    /**
     * Every metric name the Grafana dashboard's queries name: the identifiers before a label selector or a range
     * in each panel target's {@code expr} and each variable's query, and the first argument of
     * {@code label_values()} (label names inside the braces are not matched).
     */
    static Set<String> grafanaMetricNames(Path dashboard) throws IOException {
        JsonNode root = new ObjectMapper().readTree(dashboard.toFile());
        Set<String> names = new TreeSet<>();
        List<String> exprs = new ArrayList<>();
        root.findValues("expr").forEach(n -> exprs.add(n.asText()));
        root.path("templating").path("list").forEach(v -> {
            JsonNode q = v.path("query");
            exprs.add(q.isObject() ? q.path("query").asText() : q.asText());
        });
        for (String expr : exprs) {
            // label values inside quotes are not names: drop the strings first
            String unquoted = expr.replaceAll("\"[^\"]*\"", "\"\"");
            for (Pattern p : List.of(METRIC, LABEL_VALUES)) {
                Matcher m = p.matcher(unquoted);
                while (m.find()) {
                    if (!PROMQL_WORDS.contains(m.group(1))) {
                        names.add(m.group(1));
                    }
                }
            }
        }
        return names;
    }

    /** PromQL functions and Grafana's query helpers that a selector may follow ({@code label_values(x{...}, l)}). */
    private static final Set<String> PROMQL_WORDS = Set.of("label_values", "query_result", "metrics", "rate",
            "irate", "increase", "sum", "max", "min", "avg", "count", "histogram_quantile", "changes", "delta",
            "by", "without", "on", "ignoring");
}
