package dev.nnc.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Optional: opens the HTML page in headless Chromium (Debian package {@code chromium}) and
 * checks the screenshot is not blank: the graph's fill colors are on screen, so the inline SVG
 * was drawn. Skipped when no {@code chromium} is on the PATH (CI does not install it; the
 * XML checks of {@link HtmlPageTest} always run). {@code -Dnnc.screenshot=FILE} keeps the PNG.
 */
class ChromiumScreenshotTest {
    @TempDir
    Path tmp;

    static String chromium() {
        for (String c : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, c))) return Path.of(dir, c).toString();
            }
        }
        return null;
    }

    @Test
    void headlessChromiumDrawsThePage() throws Exception {
        String chromium = chromium();
        Assumptions.assumeTrue(chromium != null, "chromium is not installed: skipped (apt-get install chromium)");
        NeedsGraphviz.check();
        GraphView v = HtmlPageTest.houseGrad();
        String dot = Dot.render(v);
        Path page = tmp.resolve("page.html");
        Files.writeString(page, Html.page(v, "house_prices.nn", Graphviz.svg(dot), dot, Map.of("batch", 64)), StandardCharsets.UTF_8);
        Path png = tmp.resolve("shot.png");
        Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--user-data-dir=" + tmp.resolve("profile"), "--window-size=1280,1400", "--screenshot=" + png,
                page.toUri().toString()).redirectErrorStream(true).redirectOutput(tmp.resolve("chromium.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish in 120 s");
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + read(tmp.resolve("chromium.log")));
        BufferedImage img = ImageIO.read(png.toFile());
        String keep = System.getProperty("nnc.screenshot");
        if (keep != null) Files.copy(png, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        long nonWhite = 0;
        int input = 0, param = 0, gradient = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                if (rgb != 0xffffff) nonWhite++;
                if (near(rgb, 0xdbe9f6)) input++;
                if (near(rgb, 0xfde9b6)) param++;
                if (near(rgb, 0xf8c79b)) gradient++;
            }
        }
        long all = (long) img.getWidth() * img.getHeight();
        assertTrue(nonWhite > all / 50, "the screenshot is (nearly) blank: " + nonWhite + " of " + all + " pixels not white");
        assertTrue(input > 200 && param > 200 && gradient > 200,
                "node fills on screen: input " + input + ", param " + param + ", gradient " + gradient + " pixels");
    }

    private static boolean near(int rgb, int want) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs(((rgb >> shift) & 0xff) - ((want >> shift) & 0xff)) > 6) return false;
        }
        return true;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "(no log)";
        }
    }
}
