package dev.modelserving.akka;

import static akka.http.javadsl.server.PathMatchers.segment;

import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.marshalling.Marshaller;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.RequestEntity;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.Uri;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import dev.modelserving.dashboard.DashboardFeed;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The REST API, with the same paths and JSON as the Quarkus servers: {@code /state} and {@code /dataTypes},
 * {@code /state/{dataType}} and {@code /dataTypes/{dataType}}, {@code /models}; health at {@code /health} and
 * metrics (Prometheus text) at {@code /metrics}, also under {@code /q/} as on the Quarkus servers; the dashboard at
 * {@code /dashboard/} and its feed at {@value DashboardFeed#PATH}.
 */
final class StateRoutes extends AllDirectives {

    /** The server's health: up when the models have caught up, the data stream runs and its writes succeed. */
    record Health(String status, Map<String, Object> checks) {
        boolean up() {
            return "UP".equals(status);
        }
    }

    private static final ContentType.WithCharset PROMETHEUS = MediaTypes
            .customWithOpenCharset("text", "plain", Map.of("version", "0.0.4"), false)
            .toContentType(HttpCharsets.UTF_8);

    private final Supplier<ServingView> view;
    private final Supplier<CompletionStage<Health>> health;
    private final Supplier<String> metrics;
    private final Marshaller<Object, RequestEntity> json = Jackson.marshaller(Json.mapper());

    private final Supplier<CompletionStage<DashboardFeed.Feed>> feed;

    StateRoutes(Supplier<ServingView> view, Supplier<CompletionStage<Health>> health, Supplier<String> metrics,
            Supplier<CompletionStage<DashboardFeed.Feed>> feed) {
        this.view = view;
        this.health = health;
        this.metrics = metrics;
        this.feed = feed;
    }

    Route routes() {
        Route api = concat(
                path("state", this::allStats),
                path("dataTypes", this::allStats),
                pathPrefix("state", () -> path(segment(), this::stats)),
                pathPrefix("dataTypes", () -> path(segment(), this::stats)),
                path("models", () -> get(() -> onSuccess(view.get().models(), m -> complete(StatusCodes.OK, m, json)))),
                path("health", this::health),
                pathPrefix("q", () -> concat(path("health", this::health), path("metrics", this::metrics))),
                path("metrics", this::metrics),
                dashboard());
        RejectionHandler notFound = RejectionHandler.newBuilder()
                .handleNotFound(complete(StatusCodes.NOT_FOUND, Map.of("error", "no such resource"), json))
                .build().withFallback(RejectionHandler.defaultHandler());
        return handleRejections(notFound, () -> api);
    }

    /**
     * The dashboard, as on the Quarkus servers: {@code /} and {@code /dashboard} lead to its page, its files come
     * from the dashboard jar ({@code META-INF/resources/dashboard}), uPlot from its WebJar, and its feed, which any
     * page may read (the compare view reads the other servers'), allows every origin.
     */
    private Route dashboard() {
        return get(() -> concat(
                pathSingleSlash(() -> redirect(Uri.create("/dashboard/"), StatusCodes.SEE_OTHER)),
                path("dashboard", () -> redirect(Uri.create("/dashboard/"), StatusCodes.SEE_OTHER)),
                path(segment("dashboard").slash("feed"), () -> respondWithHeaders(List.of(
                        RawHeader.create("Access-Control-Allow-Origin", "*"),
                        RawHeader.create("Cache-Control", "no-store")),
                        () -> onSuccess(feed.get(), f -> complete(StatusCodes.OK, f, json)))),
                pathPrefix("dashboard", () -> concat(
                        pathSingleSlash(() -> getFromResource("META-INF/resources/dashboard/index.html")),
                        getFromResourceDirectory("META-INF/resources/dashboard"))),
                pathPrefix("webjars", () -> getFromResourceDirectory("META-INF/resources/webjars"))));
    }

    private Route allStats() {
        return get(() -> onSuccess(view.get().allStats(), all -> complete(StatusCodes.OK, all, json)));
    }

    private Route stats(String dataType) {
        return get(() -> onSuccess(view.get().stats(dataType), stats -> stats.map(s -> complete(StatusCodes.OK, s, json))
                .orElseGet(() -> complete(StatusCodes.NOT_FOUND, Map.of("error",
                        "no dataType '" + dataType + "' has been seen"), json))));
    }

    private Route health() {
        return get(() -> onSuccess(health.get(),
                h -> complete(h.up() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, h, json)));
    }

    private Route metrics() {
        return get(() -> complete(StatusCodes.OK, HttpEntities.create(PROMETHEUS, metrics.get())));
    }
}
