package dev.modelserving.rest;

import dev.modelserving.dashboard.DashboardFeed;
import dev.modelserving.kafka.ServerSettings;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The dashboard: its page ({@code /dashboard/}, static files from the dashboard jar), {@code /} leading to it, and
 * its JSON feed ({@value DashboardFeed#PATH}), which any page may read (the compare view reads the other servers'),
 * so it allows every origin: it serves nothing {@code /state} and {@code /q/metrics} do not, and takes no
 * credentials.
 */
@Path("/")
public class DashboardResource {

    private final ServingState state;
    private final MeterRegistry meters;
    private final ServerSettings settings;
    private final String server;

    DashboardResource(ServingState state, MeterRegistry meters, ServerSettings settings,
            @ConfigProperty(name = "quarkus.application.name") String server) {
        this.state = state;
        this.meters = meters;
        this.settings = settings;
        this.server = server;
    }

    /** The page. */
    @GET
    public Response root() {
        return Response.seeOther(URI.create("/dashboard/")).build();
    }

    /** The page at its path without the trailing slash. */
    @GET
    @Path("dashboard")
    public Response dashboard() {
        return root();
    }

    @GET
    @Path("dashboard/feed")
    @Produces(MediaType.APPLICATION_JSON)
    public Response feed() {
        return Response.ok(DashboardFeed.of(server, settings.topics().data(), state.allStats(), state.servedModels(),
                meters)).header("Access-Control-Allow-Origin", "*").header("Cache-Control", "no-store").build();
    }
}
