package org.pgmigrate.service.portal;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The portal's files: the one page ({@code /portal/}, and {@code /portal/login}, whose fragment carries the token),
 * its scripts and styles from {@code portal/} in the jar, and uPlot from its WebJar under {@code /portal/lib/uplot/}.
 * None of them holds data, so they load without the token; the page's scripts call the API with it.
 *
 * <p>Every portal response carries a strict Content-Security-Policy: scripts and styles only from this origin (no
 * inline script or style, no eval), requests only to this origin, no framing, no plugins. Whatever the API returns
 * (database names, messages: user data) is put into the page as text by the scripts, never as markup; the policy is
 * the second line of defence. Thread-safe.
 */
final class PortalPages {

    static final String ROOT = "/portal";
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
            + "form-action 'none'; frame-ancestors 'none'";
    private static final String UPLOT_POM = "/META-INF/maven/org.webjars.npm/uplot/pom.properties";

    private final byte[] page;

    PortalPages() {
        this.page = resource("/portal/index.html");
    }

    void configure(JavalinConfig config) {
        config.staticFiles.add(files -> {
            files.hostedPath = ROOT;
            files.directory = "/portal";
            files.location = Location.CLASSPATH;
        });
        config.staticFiles.add(files -> {
            files.hostedPath = ROOT + "/lib/uplot";
            // the version folder (a WebJar has no entry for its dist/ folder, which Javalin needs to see)
            files.directory = "/META-INF/resources/webjars/uplot/" + uplotVersion();
            files.location = Location.CLASSPATH;
        });
        config.router.mount(router -> {
            router.get(ROOT, this::page);
            router.get(ROOT + "/login", this::page);
        });
    }

    /** Whether a request is for the portal's files, which need no token (GET and HEAD only). */
    static boolean isPortalFile(Context ctx) {
        String path = ctx.path();
        boolean read = ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD;
        return read && (path.equals(ROOT) || path.startsWith(ROOT + "/"));
    }

    /** The headers every portal response carries. */
    static void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        ctx.header("Cache-Control", "no-cache");
    }

    private void page(Context ctx) {
        ctx.contentType("text/html; charset=utf-8").result(page);
    }

    /** The WebJar's version, from its Maven metadata, so that upgrading the dependency needs no code change. */
    static String uplotVersion() {
        try (InputStream in = PortalPages.class.getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                throw new IllegalStateException("The uPlot WebJar is missing from the class path (" + UPLOT_POM + ").");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = PortalPages.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("The portal's " + name + " is missing from the class path.");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
