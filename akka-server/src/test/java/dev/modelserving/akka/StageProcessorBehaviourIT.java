package dev.modelserving.akka;

/** The shared behaviour suite against the Akka server with the {@code stage} processor. */
class StageProcessorBehaviourIT extends AkkaServerBehaviourSuite {

    @Override
    protected String processor() {
        return "stage";
    }

    /** The dashboard case runs on this variant of the server. */
    @Override
    protected boolean showsTheDashboardInABrowser() {
        return true;
    }
}
