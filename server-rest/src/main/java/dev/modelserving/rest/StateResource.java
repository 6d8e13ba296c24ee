package dev.modelserving.rest;

import dev.modelserving.model.CurrentModel;
import dev.modelserving.model.ServingStats;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * What a server instance serves, with the same JSON on every server: the tutorial's serving statistics and the
 * current models. A dataType's statistics are at {@code /dataTypes/{dataType}}, which no other endpoint shadows,
 * and at the tutorial's {@code /state/{dataType}} (where, on the Kafka Streams server, {@code value} and
 * {@code instances} name its interactive queries instead).
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class StateResource {

    private final ServingState models;

    StateResource(ServingState models) {
        this.models = models;
    }

    /** Serving statistics of every dataType seen (a model, a refused model or a record). */
    @GET
    @Path("state")
    public Map<String, ServingStats> state() {
        return models.allStats();
    }

    /** Serving statistics of every dataType seen, as {@code /state}. */
    @GET
    @Path("dataTypes")
    public Map<String, ServingStats> dataTypes() {
        return state();
    }

    /** Serving statistics of one dataType; 404 when it was never seen. */
    @GET
    @Path("dataTypes/{dataType}")
    public Response dataType(@PathParam("dataType") String dataType) {
        return state(dataType);
    }

    /** Serving statistics of one dataType, at the tutorial's path; 404 when it was never seen. */
    @GET
    @Path("state/{dataType}")
    public Response state(@PathParam("dataType") String dataType) {
        return models.stats(dataType)
                .map(stats -> Response.ok(stats).build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND)
                        .entity(Map.of("error", "no dataType '" + dataType + "' has been seen")).build());
    }

    /** dataType to the model serving it, with its version and since when. */
    @GET
    @Path("models")
    public Map<String, CurrentModel> models() {
        return models.servedModels();
    }
}
