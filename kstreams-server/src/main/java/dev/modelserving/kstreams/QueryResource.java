package dev.modelserving.kstreams;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelserving.kafka.ServerSettings;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.ServingStats;
import dev.modelserving.model.ServingSummary;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Interactive queries: which instances run this application and what each data partition's task serves. A query
 * for a partition held by another instance is forwarded to it, and a query of the whole application asks every
 * other instance at once; their answers are awaited {@link #PEER_DEADLINE} for them all and read no further than
 * {@link #MAX_PEER_ANSWER_BYTES}. While a store is not queryable (the application starts or rebalances), or an
 * instance does not answer, the answer is 503 with {@code Retry-After} and the reason.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class QueryResource {

    static final String SERVED_BY = "X-Served-By";
    private static final String RETRY_AFTER_SECONDS = "1";

    /** An instance of the application, from Kafka Streams' metadata. */
    @RegisterForReflection
    public record Instance(String host, int port, boolean self, List<Integer> partitions,
            List<Integer> standbyPartitions) {}

    /** What the tasks of some data partitions serve, and which instance answered. */
    @RegisterForReflection
    public record PartitionState(List<String> servedBy, List<Integer> partitions, Map<String, ServingStats> models) {}

    private final KafkaStreams streams;
    private final StoreVariant variant;
    private final LocalServing serving;
    private final String dataTopic;
    private final HostInfo self;
    private final ObjectMapper json;
    /** How long a forwarded or gathered answer waits for the other instances, all of them together. */
    static final Duration PEER_DEADLINE = Duration.ofSeconds(3);
    /** The largest answer read from another instance. */
    static final int MAX_PEER_ANSWER_BYTES = 4 * 1024 * 1024;
    private final PeerRequests peers = new PeerRequests(PEER_DEADLINE, MAX_PEER_ANSWER_BYTES);

    QueryResource(KafkaStreams streams, StoreVariant variant, LocalServing serving, ObjectMapper json,
            ServerSettings settings,
            @ConfigProperty(name = "quarkus.kafka-streams.application-server") String applicationServer) {
        this.streams = streams;
        this.variant = variant;
        this.serving = serving;
        this.json = json;
        this.dataTopic = settings.topics().data();
        this.self = HostInfo.buildFromEndpoint(applicationServer);
    }

    /** The instances running this application (same application id), as Kafka Streams knows them. */
    @GET
    @Path("state/instances")
    public Response instances() {
        if (!queryable()) {
            return unavailable("Kafka Streams is " + streams.state());
        }
        List<Instance> out = new ArrayList<>();
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            out.add(new Instance(m.host(), m.port(), m.hostInfo().equals(self), dataPartitions(m.topicPartitions()),
                    dataPartitions(m.standbyTopicPartitions())));
        }
        out.sort((a, b) -> (a.host() + ":" + a.port()).compareTo(b.host() + ":" + b.port()));
        return Response.ok(out).build();
    }

    /**
     * Serving statistics of the current models: of one data partition's task ({@code partition}, answered by the
     * instance that holds it), or of the whole application (gathered from every instance and merged);
     * {@code scope=local} answers from this instance only.
     */
    @GET
    @Path("state/value")
    public Response value(@QueryParam("partition") Integer partition, @QueryParam("scope") String scope) {
        if (!queryable()) {
            return unavailable("Kafka Streams is " + streams.state());
        }
        boolean local = "local".equals(scope);
        try {
            if (partition != null) {
                if (partition < 0 || (streams.state() == KafkaStreams.State.RUNNING && partition >= partitionCount())) {
                    return Response.status(Response.Status.NOT_FOUND).entity(Map.of("error", "partition " + partition
                            + " does not exist: " + dataTopic + " has " + partitionCount() + " partitions")).build();
                }
                Optional<HostInfo> owner = owner(partition);
                if (variant == StoreVariant.MEMORY || local || owner.map(self::equals).orElse(false)) {
                    return ok(local(List.of(partition)));
                }
                if (owner.isEmpty()) {
                    return unavailable("no instance holds partition " + partition + " of " + dataTopic + " now");
                }
                return forward(owner.get(), "partition=" + partition + "&scope=local");
            }
            if (local || variant == StoreVariant.MEMORY) {
                return ok(local(localPartitions()));
            }
            return gather();
        } catch (InvalidStateStoreException e) {
            return unavailable("the model store is not queryable here now (" + e.getMessage() + ")");
        } catch (Unavailable e) {
            return unavailable(e.getMessage());
        }
    }

    private boolean queryable() {
        KafkaStreams.State s = streams.state();
        return s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING;
    }

    /** The state of these partitions' tasks on this instance, each confirmed by an interactive query. */
    private PartitionState local(List<Integer> partitions) {
        List<Map<String, ServingStats>> parts = new ArrayList<>();
        if (variant == StoreVariant.MEMORY) {
            ModelStore global = streams.store(StoreQueryParameters.fromNameAndType(StreamNames.MODEL_STORE,
                    new ModelStoreType()));
            parts.add(global.registry().allStats());
        } else {
            for (int p : partitions) {
                parts.add(queryTask(p).allStats());
            }
        }
        return new PartitionState(List.of(self.host() + ":" + self.port()), List.copyOf(new TreeSet<>(partitions)),
                ServingSummary.stats(parts));
    }

    /** The registry of one partition's task here; the store query fails while the task is not running here. */
    private ModelRegistry queryTask(int partition) {
        if (variant == StoreVariant.CUSTOM) {
            return streams.store(StoreQueryParameters.fromNameAndType(StreamNames.MODEL_STORE, new ModelStoreType())
                    .withPartition(partition)).registry();
        }
        streams.store(StoreQueryParameters.fromNameAndType(StreamNames.MODEL_STATE_STORE,
                QueryableStoreTypes.<String, byte[]>keyValueStore()).withPartition(partition)).approximateNumEntries();
        ModelRegistry registry = serving.registries().get(partition);
        if (registry == null) {
            throw new InvalidStateStoreException("the task of partition " + partition + " is not serving here");
        }
        return registry;
    }

    private List<Integer> localPartitions() {
        return streams.metadataForLocalThreads().stream()
                .flatMap(t -> t.activeTasks().stream())
                .flatMap(t -> t.topicPartitions().stream())
                .filter(tp -> tp.topic().equals(dataTopic)).map(TopicPartition::partition).sorted().distinct()
                .toList();
    }

    /** Partitions of the data topic as the assignment shows them; unbounded while nothing is assigned. */
    private int partitionCount() {
        return streams.metadataForAllStreamsClients().stream().flatMap(m -> m.topicPartitions().stream())
                .filter(tp -> tp.topic().equals(dataTopic)).mapToInt(tp -> tp.partition() + 1).max()
                .orElse(Integer.MAX_VALUE);
    }

    private Optional<HostInfo> owner(int partition) {
        TopicPartition tp = new TopicPartition(dataTopic, partition);
        return streams.metadataForAllStreamsClients().stream()
                .filter(m -> m.topicPartitions().contains(tp)).map(StreamsMetadata::hostInfo).findFirst();
    }

    /** Every instance's local answer, merged; the other instances are asked all at once. */
    private Response gather() {
        List<PartitionState> states = new ArrayList<>();
        List<URI> others = new ArrayList<>();
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            if (m.hostInfo().equals(self)) {
                states.add(local(localPartitions()));
            } else {
                others.add(uri(m.hostInfo(), "scope=local"));
            }
        }
        states.addAll(fetch(others));
        List<String> servedBy = new ArrayList<>();
        List<Integer> partitions = new ArrayList<>();
        List<Map<String, ServingStats>> parts = new ArrayList<>();
        for (PartitionState s : states) {
            servedBy.addAll(s.servedBy());
            partitions.addAll(s.partitions());
            parts.add(s.models());
        }
        return ok(new PartitionState(servedBy, partitions.stream().sorted().toList(), ServingSummary.stats(parts)));
    }

    private Response forward(HostInfo owner, String query) {
        return ok(fetch(List.of(uri(owner, query))).get(0));
    }

    private static URI uri(HostInfo host, String query) {
        return URI.create("http://" + host.host() + ":" + host.port() + "/state/value?" + query);
    }

    /** The answers of other instances, within {@link #PEER_DEADLINE} for them all. */
    private List<PartitionState> fetch(List<URI> uris) {
        List<PartitionState> out = new ArrayList<>();
        try {
            for (byte[] body : peers.getAll(uris)) {
                out.add(json.readValue(body, PartitionState.class));
            }
        } catch (PeerRequests.Unanswered e) {
            throw new Unavailable(e.getMessage());
        } catch (IOException e) {
            throw new Unavailable("an instance's answer is not a partition state: " + e.getMessage());
        }
        return out;
    }

    private Response ok(PartitionState s) {
        return Response.ok(s).header(SERVED_BY, String.join(",", s.servedBy())).build();
    }

    private static Response unavailable(String why) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", RETRY_AFTER_SECONDS)
                .entity(Map.of("error", why + "; try again")).build();
    }

    private List<Integer> dataPartitions(Set<TopicPartition> tps) {
        return tps.stream().filter(tp -> tp.topic().equals(dataTopic)).map(TopicPartition::partition).sorted().toList();
    }

    /** A peer that cannot answer now. */
    private static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }
    }
}
