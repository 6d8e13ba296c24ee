package dev.modelserving.rest;

import dev.modelserving.dashboard.DashboardFeed;
import dev.modelserving.model.CurrentModel;
import dev.modelserving.model.Lifecycle;
import dev.modelserving.model.LifecycleEvent;
import dev.modelserving.model.LoadFailure;
import dev.modelserving.model.ModelInfo;
import dev.modelserving.model.ServingStats;
import dev.modelserving.model.ShadowComparison;
import dev.modelserving.proto.FeatureRecord;
import dev.modelserving.proto.FeatureValue;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.PromotionRule;
import dev.modelserving.proto.ServingResult;
import dev.modelserving.proto.WineRecord;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Native images of the Quarkus servers: protobuf's generated messages reach their accessors by reflection, and
 * the REST API's JSON types are (de)serialized by Jackson, also where a resource returns a plain {@code Response}.
 */
@RegisterForReflection(targets = {WineRecord.class, WineRecord.Builder.class, FeatureRecord.class,
        FeatureRecord.Builder.class, FeatureValue.class, FeatureValue.Builder.class, ModelDescriptor.class,
        ModelDescriptor.Builder.class, ServingResult.class, ServingResult.Builder.class, ServingStats.class,
        CurrentModel.class, ModelInfo.class, LoadFailure.class, Lifecycle.class, LifecycleEvent.class,
        ShadowComparison.Figures.class, PromotionRule.class, PromotionRule.Builder.class, DashboardFeed.Feed.class,
        DashboardFeed.Totals.class, DashboardFeed.PartitionLag.class, DashboardFeed.DataType.class,
        DashboardFeed.Model.class, DashboardFeed.WithoutModel.class, DashboardFeed.Event.class,
        DashboardFeed.Latency.class})
final class NativeReflection {

    private NativeReflection() {}
}
