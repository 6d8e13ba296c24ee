package dev.modelserving.kstreams;

import dev.modelserving.model.CurrentModel;
import dev.modelserving.model.ServingStats;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** The serving statistics and current models, with the same JSON as the other servers. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class StateResource {

    private final ModelHolder models;

    StateResource(ModelHolder models) {
        this.models = models;
    }

    @GET
    @Path("state")
    public Map<String, ServingStats> state() {
        return models.registry().allStats();
    }

    @GET
    @Path("state/{dataType}")
    public Response state(@PathParam("dataType") String dataType) {
        return models.registry().stats(dataType)
                .map(stats -> Response.ok(stats).build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND)
                        .entity(Map.of("error", "no dataType '" + dataType + "' has been seen")).build());
    }

    @GET
    @Path("models")
    public Map<String, CurrentModel> models() {
        return models.registry().servedModels();
    }
}
