package dev.modelserving.kstreams;

import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ServingResult;
import dev.modelserving.proto.WineRecord;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Native images: protobuf's generated messages reach their accessors by reflection. */
@RegisterForReflection(targets = {WineRecord.class, WineRecord.Builder.class, ModelDescriptor.class,
        ModelDescriptor.Builder.class, ServingResult.class, ServingResult.Builder.class})
final class NativeReflection {

    private NativeReflection() {}
}
