package dev.modelserving.reactive;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the models topic has been read to its end; lists the model serving each dataType. */
@Readiness
@ApplicationScoped
public class ModelsHealthCheck implements HealthCheck {

    private final ModelHolder models;
    private final StartupCatchUp catchUp;

    ModelsHealthCheck(ModelHolder models, StartupCatchUp catchUp) {
        this.models = models;
        this.catchUp = catchUp;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("models").status(catchUp.isCaughtUp())
                .withData("caught-up", catchUp.isCaughtUp());
        models.registry().currentModels().forEach((type, info) -> r.withData(type, info.label()));
        return r.build();
    }
}
