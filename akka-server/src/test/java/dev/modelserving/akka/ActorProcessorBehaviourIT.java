package dev.modelserving.akka;

/** The shared behaviour suite against the Akka server with the {@code actor} processor. */
class ActorProcessorBehaviourIT extends AkkaServerBehaviourSuite {

    @Override
    protected String processor() {
        return "actor";
    }
}
