package dev.modelserving.rest;

import dev.modelserving.model.ModelRegistry;

/** The bean of a server that holds its model registry; the shared REST API reads from it. */
public interface ModelRegistrySource {

    ModelRegistry registry();
}
