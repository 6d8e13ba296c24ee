package dev.modelserving.kstreams;

import java.util.List;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.internals.StateStoreProvider;

/** Interactive queries over {@link ModelStore}: the store of one partition (or the global one). */
final class ModelStoreType implements QueryableStoreType<ModelStore> {

    @Override
    public boolean accepts(StateStore store) {
        return store instanceof ModelStore;
    }

    @Override
    public ModelStore create(StateStoreProvider provider, String storeName) {
        List<ModelStore> stores = provider.stores(storeName, this);
        if (stores.isEmpty()) {
            throw new InvalidStateStoreException("no open " + storeName + " here");
        }
        return stores.get(0);
    }
}
