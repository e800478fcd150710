package org.pgmigrate.service.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.arm.JsonBodies;

/**
 * ARM's pageable lists: {@code {"value": [...], "nextLink": "..."}}, {@value #DEFAULT_PAGE_SIZE} items a page unless
 * the request asks for fewer or more with {@code $top} (1 to {@value #MAX_PAGE_SIZE}). {@code nextLink} is the
 * request's own absolute URL (same host, api-version and filters) with an opaque {@code $skipToken}; it is absent on
 * the last page. The token holds the sort key of the last item sent, so a page starts right after it even when items
 * were created or deleted in between (none is skipped or repeated, unlike an offset). Stateless.
 */
public final class ListPages {

    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 1000;
    static final String TOP = "$top";
    static final String SKIP_TOKEN = "$skipToken";

    private ListPages() {
    }

    /**
     * The page of {@code items} that the request asks for. {@code key} orders the items and must be unique;
     * {@code write} turns an item into its wire form.
     */
    public static <T> ObjectNode page(Context ctx, List<T> items, Function<T, String> key, Function<T, ObjectNode> write) {
        int size = pageSize(ctx.queryParam(TOP));
        String after = ctx.queryParam(SKIP_TOKEN) == null ? null : decode(ctx.queryParam(SKIP_TOKEN));
        List<T> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(key));
        List<T> rest = after == null ? sorted : sorted.stream().filter(i -> key.apply(i).compareTo(after) > 0).toList();
        ObjectNode root = JsonBodies.object();
        ArrayNode value = root.putArray("value");
        rest.stream().limit(size).forEach(i -> value.add(write.apply(i)));
        if (rest.size() > size) {
            root.put("nextLink", nextLink(ctx, encode(key.apply(rest.get(size - 1)))));
        }
        return root;
    }

    private static int pageSize(String top) {
        if (top == null) {
            return DEFAULT_PAGE_SIZE;
        }
        try {
            int n = Integer.parseInt(top.trim());
            if (n >= 1 && n <= MAX_PAGE_SIZE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "$top must be a number of items from 1 to "
                + MAX_PAGE_SIZE + ", was '" + top + "'. Leave it out for pages of " + DEFAULT_PAGE_SIZE + ".", TOP);
    }

    // Every query parameter of the request but the token, so that the next page has the same api-version and filters.
    private static String nextLink(Context ctx, String token) {
        StringBuilder link = new StringBuilder(ctx.scheme()).append("://").append(ctx.host()).append(ctx.path());
        char separator = '?';
        for (Map.Entry<String, List<String>> param : ctx.queryParamMap().entrySet()) {
            if (param.getKey().equals(SKIP_TOKEN)) {
                continue;
            }
            for (String v : param.getValue()) {
                link.append(separator).append(escape(param.getKey())).append('=').append(escape(v));
                separator = '&';
            }
        }
        return link.append(separator).append(escape(SKIP_TOKEN)).append('=').append(escape(token)).toString();
    }

    private static String encode(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String token) {
        try {
            return new String(Base64.getUrlDecoder().decode(token.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "$skipToken '" + token + "' is not a "
                    + "token this service gave out. Follow the nextLink of the previous page as it is, or leave "
                    + "$skipToken out to start from the first page.", SKIP_TOKEN);
        }
    }

    private static String escape(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
